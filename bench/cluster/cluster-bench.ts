/**
 * Two Parley nodes on Redis against one node: private-message deliveries per second and delivery
 * latency (p50/p99) when every message crosses nodes. Each node is the real `parley` bin on one
 * scratch PostgreSQL database (created and dropped); the two-node run adds the machine's Redis
 * (REDIS_URL, a key prefix of this run's own, deleted after). Senders and receivers are
 * socket.io-client sockets in this process over 127.0.0.1, WebSocket only.
 *
 *   node --import tsx bench/cluster/cluster-bench.ts [--pairs=40] [--messages=150] [--window=8]
 *
 * One node: sender and receiver of each pair on node A (no Redis). Two nodes: senders on A,
 * receivers on B, so every delivery goes A → Redis stream → B. Bounded: pairs × messages messages,
 * each sender keeping at most `window` unacknowledged.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';

const hostDir = fileURLToPath(new URL('../../packages/host-express/', import.meta.url));
const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const PAIRS = arg('pairs', 40);
const MESSAGES = arg('messages', 150);
const WINDOW = arg('window', 8);

const children: ChildProcess[] = [];

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function startNode(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--conditions=parley-source', '--import', 'tsx', 'src/bin.ts'], {
    cwd: hostDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const match = output.match(/listening on (http:\/\/\S+?)"/);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += String(chunk);
    });
    child.once('exit', () => reject(new Error(`node exited:\n${output}`)));
  });
}

async function stopNodes(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function register(base: string, name: string): Promise<{ id: string; token: string }> {
  const res = await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `${name}-${randomBytes(4).toString('hex')}@bench.test`,
      password: 'bench password',
      nickname: name,
    }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string }; token: string };
  return { id: body.user.id, token: body.token };
}

function connect(base: string, token: string): Promise<Socket> {
  const socket = io(base, {
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

interface Figures {
  label: string;
  deliveries: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(label: string, senderBase: string, receiverBase: string): Promise<Figures> {
  const pairs = await Promise.all(
    Array.from({ length: PAIRS }, async (_, i) => {
      const sender = await register(senderBase, `s${i}`);
      const receiver = await register(receiverBase, `r${i}`);
      return {
        receiverId: receiver.id,
        out: await connect(senderBase, sender.token),
        in: await connect(receiverBase, receiver.token),
      };
    }),
  );
  const latencies: number[] = [];
  const expected = PAIRS * MESSAGES;
  let received = 0;
  let resolveAll: () => void = () => {};
  const allIn = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  for (const pair of pairs) {
    pair.in.on('new_private_message', (message: { content: string }, ack?: () => void) => {
      ack?.();
      latencies.push(performance.now() - Number(message.content));
      received += 1;
      if (received === expected) resolveAll();
    });
  }
  const started = performance.now();
  await Promise.all(
    pairs.map(async (pair) => {
      let next = 0;
      const lane = async () => {
        while (next < MESSAGES) {
          next += 1;
          const answer = (await pair.out.timeout(10_000).emitWithAck('private_message', {
            receiverId: pair.receiverId,
            content: String(performance.now()),
          })) as {
            ok: boolean;
          };
          if (!answer.ok) throw new Error(`send refused: ${JSON.stringify(answer)}`);
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
    }),
  );
  const timeout = setTimeout(() => resolveAll(), 15_000);
  await allIn;
  clearTimeout(timeout);
  const seconds = (performance.now() - started) / 1000;
  for (const pair of pairs) {
    pair.out.disconnect();
    pair.in.disconnect();
  }
  if (received !== expected) throw new Error(`${label}: ${received} of ${expected} delivered`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  return {
    label,
    deliveries: received,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(received / seconds),
    p50: at(0.5),
    p99: at(0.99),
  };
}

async function main(): Promise<void> {
  const run = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const prefix = `parley-bench:${run}:`;
  const results: Figures[] = [];
  for (const mode of ['one node', 'two nodes on Redis'] as const) {
    const database = `parley_bench_cluster_${run}_${mode === 'one node' ? 1 : 2}`;
    await admin(`create database "${database}"`);
    const url = new URL(DATABASE_URL);
    url.pathname = `/${database}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-cluster-'));
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      MAIL_TO_LOG: 'true',
      CORS_ORIGIN: 'http://localhost',
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
      PRIVATE_MESSAGE_POLICY: 'anyone',
      JWT_SECRET: `bench-secret-${run}-0123456789`,
      DATABASE_URL: url.toString(),
      DATA_DIR: dataDir,
      EVENT_BURST: '100000',
      EVENTS_PER_SECOND: '100000',
      AUTH_RATE_LIMIT_POINTS: '100000',
    };
    try {
      if (mode === 'one node') {
        const a = await startNode(env);
        results.push(await measure(mode, a, a));
      } else {
        const clustered = { ...env, REDIS_URL, REDIS_KEY_PREFIX: prefix };
        const a = await startNode(clustered);
        const b = await startNode(clustered);
        results.push(await measure(`${mode} (every delivery crosses nodes)`, a, b));
      }
    } finally {
      await stopNodes();
      await admin(`drop database if exists "${database}" with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  // The run's Redis keys (the adapter's stream, presence, budgets), through redis-cli.
  const keys = spawnSync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${prefix}*`], {
    encoding: 'utf8',
  })
    .stdout.split('\n')
    .filter((key) => key.length > 0);
  for (let i = 0; i < keys.length; i += 500)
    spawnSync('redis-cli', ['-u', REDIS_URL, 'del', ...keys.slice(i, i + 500)]);

  console.log(
    `${PAIRS} pairs × ${MESSAGES} private messages, ${WINDOW} in flight per sender, PostgreSQL store`,
  );
  console.log('| setup | deliveries | seconds | deliveries/s | p50 ms | p99 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results)
    console.log(`| ${r.label} | ${r.deliveries} | ${r.seconds} | ${r.perSecond} | ${r.p50} | ${r.p99} |`);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await stopNodes();
    process.exit(1);
  },
);
