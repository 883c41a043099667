import { defineConfig } from 'vite';

// The app builds from the SDK's sources (the `parley-source` export condition), so nothing else
// needs building first. `vite` (dev) proxies the API and the socket to a server on port 3000.
export default defineConfig({
  resolve: { conditions: ['parley-source', 'module', 'browser', 'development|production'] },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
