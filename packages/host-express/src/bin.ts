#!/usr/bin/env node
/** `parley` / `pnpm start`: reads the environment, starts the server, shuts down cleanly on SIGTERM/SIGINT. */
import { isConfigError, loadEnv } from './env.js';
import { createHost } from './host.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

/** One line for the listen errors a user fixes with PORT or HOST, instead of a stack trace. */
function listenProblem(error: unknown, port: number, host: string): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE')
    return `Parley cannot start: port ${port} is already in use (${where}); stop what uses it or set PORT to a free port.`;
  if (code === 'EACCES')
    return `Parley cannot start: no permission to listen on port ${port} (${where}); set PORT to a port above 1023.`;
  if (code === 'EADDRNOTAVAIL')
    return `Parley cannot start: address ${host} is not available on this machine; set HOST (e.g. 0.0.0.0).`;
  return null;
}

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
  let url: string;
  try {
    ({ url } = await host.listen());
  } catch (error) {
    const problem = listenProblem(error, config.port, config.host);
    if (!problem) throw error;
    console.error(problem);
    await host.close().catch(() => {});
    process.exit(1);
  }
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
