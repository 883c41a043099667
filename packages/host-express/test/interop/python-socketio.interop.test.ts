/**
 * Interop with python-socketio 5 (Debian's python3-socketio, run with /usr/bin/python3):
 * python_client.py plays the story of story.ts against this process's host and prints what it saw;
 * the same checks as for the JavaScript clients judge it. Without python-socketio the test fails
 * under CI=true (`.ci/run` installs it) and is skipped elsewhere, with one line saying how to get it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useServer } from '../helpers.js';
import { checkObservations, type Observations } from './story.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./python_client.py', import.meta.url));
const INSTALL_HINT =
  'python-socketio interop test skipped: /usr/bin/python3 cannot import socketio; install it with `sudo apt-get install -y python3-socketio` (or run .ci/run, which does)';

const probe = spawnSync(PYTHON, ['-c', 'import socketio, websocket'], { encoding: 'utf8' });
const available = probe.status === 0;
const required = process.env.CI === 'true';
if (!available && !required) console.warn(INSTALL_HINT);

const s = useServer();
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function runPython(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script, url], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!available && !required)('python-socketio 5', () => {
  it('registers, connects by query token and auth.token, sends, receives with one-argument handlers, acks, and resumes by seq with nothing missing', async () => {
    expect(available, `${PYTHON} -c 'import socketio, websocket' failed: ${probe.stderr}`).toBe(true);
    const { code, stdout, stderr } = await runPython(s.url);
    expect(code, `python_client.py failed:\n${stderr}`).toBe(0);
    const observations = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Observations;
    checkObservations(observations, 'return');
  });
});
