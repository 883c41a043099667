import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The app builds from the SDK's sources (the `parley-source` export condition), so nothing else
// needs building first. `vite` (dev) proxies the API and the socket to a server on port 3000.
// Two entries: the page, and the service worker at the root of dist (`sw.js`, not hashed: its
// URL is what the browser registers and checks for updates; its scope may then be `/`). The
// worker imports nothing the page imports, so it stays one self-contained classic script.
export default defineConfig({
  resolve: { conditions: ['parley-source', 'module', 'browser', 'development|production'] },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      input: { index: here('index.html'), sw: here('src/sw.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
