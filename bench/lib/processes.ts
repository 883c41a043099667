/**
 * Child processes of a run: the servers under test and the load driver. Every child is tracked
 * and killed when the run ends, fails or is interrupted; servers answer CPU/memory probes over IPC
 * (see servers/probe.ts), the driver runs jobs over IPC (see load/driver.ts).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CpuSnapshot, DriverMessage, Job, JobResult, ProbeReply, ProbeRequest } from './protocol.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const benchDir = fileURLToPath(new URL('../', import.meta.url));
const probePath = fileURLToPath(new URL('../servers/probe.ts', import.meta.url));

const children = new Set<ChildProcess>();

/**
 * Core pinning (util-linux `taskset`): every server on core 0, the load driver and the orchestrator
 * on core 1, so the server and its load never take turns on one core. Without taskset (or with
 * fewer than 2 cores, or `BENCH_PIN=0`) the run goes unpinned and says so.
 */
export const pinning: { server: string | null; driver: string | null; note: string } = (() => {
  const cores = availableParallelism();
  if (process.env.BENCH_PIN === '0') return { server: null, driver: null, note: 'unpinned (BENCH_PIN=0)' };
  if (cores < 2) return { server: null, driver: null, note: `unpinned: ${cores} core` };
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return {
      server: null,
      driver: null,
      note: 'unpinned: taskset not found (apt-get install -y util-linux); server and driver share the cores',
    };
  }
  const last = String(cores - 1);
  return {
    server: '0',
    driver: last,
    note: `pinned with taskset: servers on core 0, driver and orchestrator on core ${last}`,
  };
})();

/** Pins every thread of `pid` (and threads it starts later) to `cpus`; false when it could not. */
export function pin(pid: number | undefined, cpus: string | null): boolean {
  if (cpus === null || pid === undefined) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
pin(process.pid, pinning.driver);

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every child still running (SIGKILL after a short grace for a clean exit). */
export async function killAll(graceMs = 1500): Promise<void> {
  const alive = [...children];
  await Promise.all(alive.map((c) => stopChild(c, graceMs)));
}

function killAllNow(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.once('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllNow();
    process.exit(130);
  });
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // A clean exit lets `--cpu-prof` write its profile; SIGTERM is the fallback.
    if (child.connected) child.send({ probe: 'exit' } satisfies ProbeRequest, () => {});
    else child.kill('SIGTERM');
  });
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tail(buffer: { text: string }, chunk: Buffer): void {
  buffer.text = (buffer.text + chunk.toString()).slice(-6000);
}

export interface ServerHandle {
  readonly name: string;
  readonly pid: number;
  readonly baseUrl: string;
  /** CPU and memory measured inside the server; `gc` forces full collections first. */
  probe(gc?: boolean): Promise<ProbeReply>;
  cpu(): Promise<CpuSnapshot | null>;
  /** Starts or stops (and writes) a CPU profile of the server, through the inspector. */
  profile(action: 'start' | 'stop', file: string): Promise<void>;
  /** Last lines the server printed (for failure reports). */
  output(): string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  name: string;
  script: string;
  /** Extra node flags (e.g. `--conditions=parley-source`, `--cpu-prof`). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  healthTimeoutMs: number;
}

/** Starts a server as its own process with the probe preloaded, and waits for `GET /health`. */
export async function startServer(options: ServerOptions): Promise<ServerHandle> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const out = { text: '' };
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    ...options.env,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  // An empty value unsets a variable the calling shell may have.
  for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];
  const child = track(
    fork(options.script, [], {
      cwd: repoRoot,
      execArgv: [...(options.nodeArgs ?? []), '--expose-gc', '--import', 'tsx', '--import', probePath],
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  pin(child.pid, pinning.server);
  child.stdout?.on('data', (c: Buffer) => tail(out, c));
  child.stderr?.on('data', (c: Buffer) => tail(out, c));
  let probeSeq = 0;
  const waiting = new Map<number, (reply: ProbeReply) => void>();
  const profiling = new Map<number, () => void>();
  child.on('message', (raw: ProbeReply | { probe: 'profile'; id: number }) => {
    if (raw?.probe === 'profile') {
      profiling.get(raw.id)?.();
      profiling.delete(raw.id);
      return;
    }
    if (raw?.probe !== 'stats') return;
    waiting.get(raw.id)?.(raw);
    waiting.delete(raw.id);
  });
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
    for (const resolve of waiting.values()) resolve(null as unknown as ProbeReply);
    waiting.clear();
  });

  const handle: ServerHandle = {
    name: options.name,
    pid: child.pid ?? -1,
    baseUrl,
    probe(gc = false) {
      if (exited || !child.connected) return Promise.reject(new Error(`${options.name} ${exited ?? 'gone'}`));
      const id = ++probeSeq;
      return new Promise((resolve, reject) => {
        waiting.set(id, (reply) =>
          reply ? resolve(reply) : reject(new Error(`${options.name} ${exited ?? 'gone'}`)),
        );
        child.send({ probe: 'stats', id, gc } satisfies ProbeRequest);
      });
    },
    async cpu() {
      try {
        return (await handle.probe(false)).cpu;
      } catch {
        return null;
      }
    },
    profile(action, file) {
      if (exited || !child.connected) return Promise.resolve();
      const id = ++probeSeq;
      return new Promise((resolve) => {
        profiling.set(id, resolve);
        child.send({ probe: 'profile', id, action, file } satisfies ProbeRequest);
      });
    },
    output: () => out.text,
    stop: () => stopChild(child, 2000),
  };

  const deadline = Date.now() + options.healthTimeoutMs;
  for (;;) {
    if (exited)
      throw new Error(`${options.name} ${exited} before /health answered:\n${out.text.slice(-1500)}`);
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(
        `${options.name}: /health did not answer 200 within ${options.healthTimeoutMs} ms:\n${out.text.slice(-1500)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return handle;
}

export interface DriverHandle {
  /** Runs one job; the driver's marks probe `target` (the server under load). */
  run<K extends Job['kind']>(
    job: Extract<Job, { kind: K }>,
  ): Promise<Extract<JobResult, { kind: K }>['result']>;
  /** The server whose CPU the driver's marks read, per client set. */
  readonly targets: Map<string, ServerHandle>;
  stop(): Promise<void>;
}

/** Starts the load driver as its own process. */
export function startDriver(): DriverHandle {
  const script = fileURLToPath(new URL('../load/driver.ts', import.meta.url));
  const out = { text: '' };
  const child = track(
    fork(script, [], {
      cwd: repoRoot,
      // BENCH_DRIVER_PROFILE=<dir> profiles the driver itself (is the load generator the bottleneck?).
      execArgv: [
        '--import',
        'tsx',
        '--max-old-space-size=4096',
        ...(process.env.BENCH_DRIVER_PROFILE
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_DRIVER_PROFILE}`]
          : []),
      ],
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  pin(child.pid, pinning.driver);
  child.stdout?.on('data', (c: Buffer) => tail(out, c));
  child.stderr?.on('data', (c: Buffer) => tail(out, c));
  let jobSeq = 0;
  const jobs = new Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void }>();
  const handle: DriverHandle = {
    targets: new Map(),
    run(job) {
      const id = ++jobSeq;
      return new Promise((resolve, reject) => {
        jobs.set(id, {
          resolve: (r) => resolve(r.result as never),
          reject,
        });
        child.send({ type: 'job', id, job });
      });
    },
    stop: () => stopChild(child, 1000),
  };
  child.on('message', (raw: DriverMessage) => {
    if (raw.type === 'mark') {
      const target = handle.targets.get(raw.set);
      (target ? target.cpu() : Promise.resolve(null)).then((cpu) => {
        if (child.connected) child.send({ type: 'mark-reply', id: raw.id, cpu });
      });
      return;
    }
    const pending = jobs.get(raw.id);
    if (!pending) return;
    jobs.delete(raw.id);
    if (raw.type === 'job-done') pending.resolve(raw.outcome);
    else pending.reject(new Error(`driver job failed: ${raw.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const p of jobs.values())
      p.reject(new Error(`driver exited (${signal ?? code}): ${out.text.slice(-1500)}`));
    jobs.clear();
  });
  return handle;
}

/** Runs a script as a child that answers once over IPC; killed when it overruns `timeoutMs`. */
export function runOnce<T>(options: {
  script: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
  timeoutMs: number;
}): Promise<T> {
  const out = { text: '' };
  const child = track(
    fork(options.script, [], {
      cwd: repoRoot,
      execArgv: [...(options.nodeArgs ?? []), '--import', 'tsx'],
      env: { ...process.env, NODE_ENV: 'production', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  child.stdout?.on('data', (c: Buffer) => tail(out, c));
  child.stderr?.on('data', (c: Buffer) => tail(out, c));
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.script} overran ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.once('message', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code}) without an answer:\n${out.text.slice(-1500)}`));
    });
  });
}
