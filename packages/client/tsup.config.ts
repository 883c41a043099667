import { defineConfig } from 'tsup';

// One ESM build for browsers and Node: platform neutral, so a Node built-in would fail the build
// instead of slipping into a browser bundle. chat-core is imported for types only (an optional
// peer): the JavaScript never loads it, and the declarations refer to it for the wire types.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  platform: 'neutral',
  target: 'es2022',
  external: ['socket.io-client'],
});
