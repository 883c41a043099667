/**
 * The real `parley` binary as a child process (from sources, as `pnpm start` runs it), for tests
 * that kill and restart it, plus a small REST client. Every process started here is tracked so an
 * `afterAll` can make sure none outlives the test file ({@link stopParleys}).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const running: ChildProcess[] = [];

/** A started `parley` process. */
export interface ParleyProcess {
  /** `http://127.0.0.1:<port>`, as the process logged it. */
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** SIGKILL: resolved once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts the bin with `env` (and nothing of this process's environment but PATH) and resolves once
 * it listens; rejects with its output when it exits first. The URL is read from the log line at
 * `info`, so LOG_LEVEL is `info` unless `env` says otherwise (and then must not be above it).
 */
export async function startParley(env: Record<string, string>): Promise<ParleyProcess> {
  const child = spawn(process.execPath, ['--conditions=parley-source', '--import', 'tsx', 'src/bin.ts'], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const match = output.match(/listening on (http:\/\/\S+?)"/);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += String(chunk);
    });
    void exited.then(() => reject(new Error(`the bin exited before listening:\n${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** SIGTERM to every process still running (SIGKILL after 5 s); for `afterAll`. */
export async function stopParleys(): Promise<void> {
  await Promise.all(
    running.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** A JSON request; the body is `{}` when the answer has none. */
export async function api<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** A registered account. */
export interface Account {
  id: string;
  token: string;
  email: string;
}

/** Registers a user with a unique email through `base`. */
export async function register(base: string, nickname: string): Promise<Account> {
  const email = `${nickname.toLowerCase()}-${randomBytes(3).toString('hex')}@example.test`;
  const res = await api<{ user: { id: string }; token: string }>(base, 'POST', '/api/auth/register', {
    body: { email, password: 'correct horse', nickname },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, token: res.body.token, email };
}

/** Makes `a` and `b` friends (a request through `base`, accepted through `acceptAt`). */
export async function befriend(base: string, a: Account, b: Account, acceptAt = base): Promise<void> {
  const sent = await api<{ request: { id: string } }>(base, 'POST', '/api/friends/add', {
    token: a.token,
    body: { userId: b.id },
  });
  if (sent.status !== 201) throw new Error(`friend request failed: ${sent.status}`);
  const accepted = await api(acceptAt, 'POST', `/api/friends/requests/${sent.body.request.id}/accept`, {
    token: b.token,
  });
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status}`);
}
