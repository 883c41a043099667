import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against sources, never builds: workspace packages resolve to their src/ entries.
export default defineConfig({
  resolve: {
    alias: [
      {
        find: '@parley/chat-core/testing/clock',
        replacement: src('./packages/chat-core/src/testing/test-clock.ts'),
      },
      { find: '@parley/chat-core/testing', replacement: src('./packages/chat-core/src/testing/index.ts') },
      { find: '@parley/chat-core', replacement: src('./packages/chat-core/src/index.ts') },
      { find: '@parley/adapter-mongo', replacement: src('./packages/adapter-mongo/src/index.ts') },
      { find: '@parley/adapter-sql', replacement: src('./packages/adapter-sql/src/index.ts') },
      { find: '@parley/adapter-redis', replacement: src('./packages/adapter-redis/src/index.ts') },
      { find: '@parley/transport-socketio', replacement: src('./packages/transport-socketio/src/index.ts') },
      { find: '@parley/host-express', replacement: src('./packages/host-express/src/index.ts') },
      { find: '@parley/client', replacement: src('./packages/client/src/index.ts') },
    ],
  },
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
