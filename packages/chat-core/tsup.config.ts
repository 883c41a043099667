import { defineConfig } from 'tsup';

export default defineConfig({
  // `testing/clock` is its own entry so `@parley/chat-core/testing/clock` loads without vitest.
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'testing/clock': 'src/testing/test-clock.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
