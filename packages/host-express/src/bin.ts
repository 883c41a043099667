#!/usr/bin/env node
/** `parley` / `pnpm start`: reads the environment, starts the server, shuts down cleanly on SIGTERM/SIGINT. */
import { isConfigError, loadEnv } from './env.js';
import { createHost } from './host.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadEnv>;
  try {
    config = loadEnv(process.env);
  } catch (error) {
    if (isConfigError(error)) {
      console.error('Parley cannot start, the configuration is invalid:');
      for (const problem of error.problems) console.error(`  - ${problem}`);
      process.exit(1);
    }
    throw error;
  }

  const host = await createHost({ config });
  const { url } = await host.listen();
  host.logger.info({ url }, `Parley is listening on ${url}`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    host.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      console.error(`Parley did not stop within ${SHUTDOWN_TIMEOUT_MS / 1000} s: forcing exit`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error while shutting down', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error('Parley failed to start:', error);
  process.exit(1);
});
