import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];

function runBin(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=parley-source', '--import', 'tsx', 'src/bin.ts'], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  let errors = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
    errors += String(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (match) {
          child.stdout?.off('data', check);
          resolve(match);
        }
      };
      child.stdout?.on('data', check);
      void exited.then(() => reject(new Error(`exited before ${pattern}: ${output}`)));
      check();
    });
  return { child, exited, waitFor, output: () => output, errors: () => errors };
}

const servers: Server[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('the parley binary', () => {
  it('prints every configuration problem and exits 1', async () => {
    const run = runBin({ PORT: 'eighty', BCRYPT_COST: '99', NODE_ENV: 'production' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    for (const name of ['PORT', 'BCRYPT_COST', 'JWT_SECRET']) expect(run.output()).toContain(name);
  });

  it('serves /health, then stops on SIGTERM with exit code 0 well within 10 s', async () => {
    const run = runBin({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      STORE: 'memory',
    });
    const [, url] = await run.waitFor(/listening on (http:\/\/\S+?)"/);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(run.output()).toContain('kept in memory only');
    const started = Date.now();
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('on a busy port prints one line saying so and to set PORT, and exits 1', async () => {
    const busy = createServer();
    servers.push(busy);
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    const run = runBin({ PORT: String(port), HOST: '127.0.0.1', STORE: 'memory', NODE_ENV: 'development' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    const lines = run.errors().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`port ${port} is already in use.*set PORT`));
    expect(run.output()).not.toMatch(/EADDRINUSE|\n\s+at /);
  });
});
