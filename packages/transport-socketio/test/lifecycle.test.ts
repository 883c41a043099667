import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('an embedding app', () => {
  it('exits at once after close(), even when a receiver never acknowledged a message', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=parley-source', '--import', 'tsx', 'test/fixtures/embed-and-close.ts'],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    const exitedAt = Date.now();
    const closedAt = Number(/closed (\d+)/.exec(output)?.[1]);
    expect(code, output).toBe(0);
    expect(Number.isFinite(closedAt), output).toBe(true);
    // The delivery-ack wait is 10 s; the process must not wait for it.
    expect(exitedAt - closedAt).toBeLessThan(3000);
  }, 30_000);
});
