/**
 * `pnpm bench` / `pnpm bench:quick`: Parley against a raw `ws` relay (L1) and a bare Socket.IO
 * relay (L2), side by side in one run. Each server runs as its own process with the CPU/memory
 * probe preloaded; a separate driver process generates the load over 127.0.0.1. Results go to the
 * terminal, bench/results/latest.json (latest-<store>.json when BENCH_L3_STORE is not memory)
 * and (full runs, or `--doc`) BENCHMARKS.md.
 *
 * Flags: `--quick`; `--doc` (quick runs update BENCHMARKS.md too); `--profile` (each server's
 * measured windows are CPU-profiled into bench/results/profiles/<layer>-<scenario>.cpuprofile, read
 * them with profile-summary.ts); `--bin` (L3 is the host's own bin, its per-socket event limit
 * included); `--layers=L1,L2,L3`; `--only=throughput,latency,fanout,idle,login,history,search`.
 * Env: BENCH_MONGODB_URI (a loopback mongod for the MongoDB history run), BENCH_DATABASE_URL (a
 * loopback PostgreSQL for the SQL runs; default TEST_DATABASE_URL or postgres://postgres@127.0.0.1/
 * postgres, a scratch database is created and dropped), BENCH_L3_STORE=memory|sqlite|postgres (the
 * store of Parley's servers; default memory), BENCH_DRIVER_PROFILE,
 * BENCH_L3_NODE_ARGS (extra node flags for Parley's servers), BENCH_L3_OUTPUT=1 (print their output).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { machineInfo } from './lib/machine.js';
import { BENCH_PASSWORD, type BenchUser, befriend, mapLimit, openGroup, register } from './lib/parley-api.js';
import {
  benchDir,
  type DriverHandle,
  killAll,
  pin,
  pinning,
  repoRoot,
  runOnce,
  type ServerHandle,
  startDriver,
  startServer,
} from './lib/processes.js';
import type { ClientSpec, OpenLoopResult, Pair, ThroughputResult, WireKind } from './lib/protocol.js';
import { renderText, updateBenchmarksDoc, writeJson } from './lib/report.js';
import {
  type BenchResults,
  checkTargets,
  type FanoutFigure,
  type HistoryFigure,
  type IdleFigure,
  LAYER_IDS,
  type LatencyFigure,
  type LayerId,
  type RoundFigures,
  summarizeRounds,
  type ThroughputFigure,
} from './lib/results.js';
import { round } from './lib/stats.js';
import { runSearch } from './search/run-search.js';
import { FULL, QUICK, type Settings } from './settings.js';

type Scenario = 'throughput' | 'latency' | 'fanout' | 'idle' | 'login' | 'history' | 'search';
const ALL_SCENARIOS: Scenario[] = ['throughput', 'latency', 'fanout', 'idle', 'login', 'history', 'search'];

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const listFlag = (name: string) =>
  argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const quick = flag('quick');
const settings: Settings = quick ? QUICK : FULL;
const layers = new Set((listFlag('layers') ?? ['L1', 'L2', 'L2r', 'L3']) as LayerId[]);
const scenarios = new Set((listFlag('only') ?? ALL_SCENARIOS) as Scenario[]);
const profile = flag('profile');
// A full run of every layer and scenario refreshes BENCHMARKS.md; partial or quick runs only on request.
const writeDoc = flag('doc') || (!quick && !listFlag('layers') && !listFlag('only'));

const PARLEY_BIN = join(repoRoot, 'packages/host-express/src/bin.ts');
const PARLEY_LAUNCHER = join(benchDir, 'servers/parley-host.ts');
const useBin = flag('bin');
const CONTENT = 'Hello from the Parley benchmark: an ordinary chat message of about a hundred characters.';
const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef';

const t0 = performance.now();
const log = (msg: string) =>
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

const results: BenchResults = {
  version: 1,
  mode: quick ? 'quick' : 'full',
  startedAt: new Date().toISOString(),
  finishedAt: '',
  elapsedSeconds: 0,
  machine: machineInfo(),
  settings: {
    ...settings,
    layers: [...layers],
    scenarios: [...scenarios],
    profile,
    l3: useBin ? 'bin' : 'launcher',
  },
  layers: {
    L1: { status: layers.has('L1') ? 'pending' : 'skipped' },
    L2: { status: layers.has('L2') ? 'pending' : 'skipped' },
    L2r: { status: layers.has('L2r') ? 'pending' : 'skipped' },
    L3: { status: layers.has('L3') ? 'pending' : 'skipped' },
  },
  rounds: [],
  throughput: {},
  latency: {},
  fanout: {},
  spreads: {},
  pinning,
  l3Store: process.env.BENCH_L3_STORE ?? 'memory',
  budgets: {},
  idle: {},
  login: { status: 'skipped', reason: 'not run' },
  history: {
    memory: { status: 'skipped', reason: 'not run' },
    mongo: { status: 'skipped', reason: 'no mongod on this machine' },
    sqlite: { status: 'skipped', reason: 'not run' },
    postgres: { status: 'skipped', reason: 'not run' },
  },
  targets: [],
  notes: [],
};

const errText = (error: unknown) => (error instanceof Error ? error.message : String(error));

// ---------------------------------------------------------------------------------------------
// Figures from driver results

function throughputFigure(r: ThroughputResult): ThroughputFigure {
  return {
    msgsPerSec: round((r.delivered / r.windowMs) * 1000, 1),
    cpuUsPerMsg: r.serverCpuUs == null || r.delivered === 0 ? null : round(r.serverCpuUs / r.delivered, 2),
    serverCores: r.serverCpuUs == null ? null : round(r.serverCpuUs / (r.windowMs * 1000), 3),
    delivered: r.delivered,
    receipts: r.receipts,
    windowMs: round(r.windowMs, 1),
    errors: r.errors,
    errorSample: r.errorSample,
    refused: r.refused,
    unfinished: r.unfinished,
  };
}

function latencyFigure(r: OpenLoopResult): LatencyFigure {
  return {
    rate: r.rate,
    p50: round(r.latency.p50),
    p90: round(r.latency.p90),
    p99: round(r.latency.p99),
    p999: round(r.latency.p999),
    max: round(r.latency.max),
    sent: r.sent,
    delivered: r.delivered,
    lost: r.lost,
    errors: r.errors,
    errorSample: r.errorSample,
    refused: r.refused,
    driverLagP99: round(r.sendLag.p99),
    cpuUsPerMsg: r.serverCpuUs == null || r.sent === 0 ? null : round(r.serverCpuUs / r.sent, 1),
  };
}

function fanoutFigure(members: number, r: ThroughputResult): FanoutFigure {
  return {
    members,
    deliveriesPerSec: round((r.delivered / r.windowMs) * 1000, 1),
    cpuUsPerDelivery:
      r.serverCpuUs == null || r.delivered === 0 ? null : round(r.serverCpuUs / r.delivered, 3),
    messagesPerSec: round((r.acked / r.windowMs) * 1000, 1),
    errors: r.errors,
    errorSample: r.errorSample,
    refused: r.refused,
    unfinished: r.unfinished,
  };
}

// ---------------------------------------------------------------------------------------------
// The messaging layers. All servers run side by side (an idle server costs nothing) and each
// scenario visits L1, L2 and L3 back to back, so a slow minute on a shared machine hits every
// layer alike instead of one of them.

interface Layer {
  id: LayerId;
  server: ServerHandle;
  wire: WireKind;
  /** Every connection; user i is client i. The first 2×pairs are the 1:1 pairs (friends in L3). */
  clients: ClientSpec[];
  /** Group id per fan-out size; members are clients 0 … size-1, client 0 sends. */
  groups: Map<number, string>;
}

const groupMembersOf = (i: number) =>
  settings.fanoutSizes.filter((size) => i < size).map((size) => `G${size}`);

function messagingUserCount(): number {
  let n = 2 * settings.pairs;
  if (scenarios.has('fanout')) n = Math.max(n, ...settings.fanoutSizes);
  if (scenarios.has('idle')) n = Math.max(n, settings.idleConnections);
  return n;
}

async function startL1(): Promise<Layer | null> {
  if (!scenarios.has('throughput') && !scenarios.has('latency')) return null;
  const server = await startServer({
    name: 'L1 ws relay',
    script: join(benchDir, 'servers/ws-relay.ts'),
    healthTimeoutMs: settings.healthTimeoutMs,
  });
  const clients = Array.from({ length: 2 * settings.pairs }, (_, i) => ({ userId: `u${i}`, token: `u${i}` }));
  return { id: 'L1', server, wire: 'ws', clients, groups: new Map() };
}

async function startL2(driver: DriverHandle, receipts: boolean): Promise<Layer> {
  const id: LayerId = receipts ? 'L2r' : 'L2';
  const server = await startServer({
    name: receipts ? 'L2r socket.io relay with receipts' : 'L2 socket.io relay',
    script: join(benchDir, 'servers/sio-relay.ts'),
    env: { RELAY_RECEIPTS: receipts ? '1' : '' },
    healthTimeoutMs: settings.healthTimeoutMs,
  });
  // L2r only runs the 1:1 scenarios: fan-out and idle memory are the same code as L2's.
  const count = receipts ? 2 * settings.pairs : messagingUserCount();
  const clients: ClientSpec[] = Array.from({ length: count }, (_, i) => ({
    userId: `u${i}`,
    token: `u${i}`,
    groups: receipts ? undefined : groupMembersOf(i),
  }));
  const smoke = await driver.run({
    kind: 'smoke',
    url: server.baseUrl,
    clients: [clients[0]!, clients[1]!],
    timeoutMs: 5000,
  });
  results.layers[id].smoke = smoke;
  if (!smoke.ok) throw new Error(`smoke test with socket.io-client failed: ${smoke.detail}`);
  const groups = receipts
    ? new Map<number, string>()
    : new Map(settings.fanoutSizes.map((s) => [s, `G${s}`]));
  return { id, server, wire: 'sio', clients, groups };
}

/**
 * Each user's event budget on Parley's servers. One benchmark connection sends thousands of events
 * a second, so the budget (20 a second plus a burst of 200 by default) is lifted; it is still
 * charged on every event, so its cost stays in the figures, and every scenario counts RATE_LIMITED
 * answers: one is enough to fail the scenario.
 */
const BUDGETS = { EVENTS_PER_SECOND: '100000', EVENT_BURST: '100000' };

async function parleyEnv(bcryptCost: number): Promise<Record<string, string>> {
  return {
    JWT_SECRET,
    BCRYPT_COST: String(bcryptCost),
    LOG_LEVEL: 'silent',
    PRIVATE_MESSAGE_POLICY: 'friends',
    GROUP_MAX_MEMBERS: String(Math.max(2000, ...settings.fanoutSizes)),
    // One IP (127.0.0.1) registers and logs in thousands of users: the per-IP budget is lifted.
    AUTH_RATE_LIMIT_POINTS: '1000000000',
    // One benchmark connection sends thousands of events a second: each user's event budget is
    // lifted (it is still charged on every event, so its cost stays in the figures).
    ...BUDGETS,
    // NODE_ENV=production requires a mail transport; the bench sends no mail that matters.
    MAIL_TO_LOG: 'true',
    // memoryStore unless BENCH_L3_STORE asks for SQLite or PostgreSQL, whatever the calling shell has.
    MONGODB_URI: '',
    DATABASE_URL: '',
    ...(await l3StoreEnv()),
  };
}

/** The environment that puts L3 on the store BENCH_L3_STORE names (each server its own data). */
async function l3StoreEnv(): Promise<Record<string, string>> {
  const kind = process.env.BENCH_L3_STORE ?? 'memory';
  if (kind === 'memory') return { STORE: 'memory' };
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-sqlite-'));
    scratch.push(async () => rmSync(dir, { recursive: true, force: true }));
    return { DATA_DIR: dir };
  }
  if (kind === 'postgres') {
    return { DATABASE_URL: await scratchPostgres() };
  }
  throw new Error(`BENCH_L3_STORE must be memory, sqlite or postgres, not ${kind}`);
}

/** Cleanups of scratch data (SQLite directories, PostgreSQL databases) run at the end. */
const scratch: (() => Promise<void>)[] = [];

/** The PostgreSQL server the SQL runs use: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else local. */
const benchPostgresUrl = () =>
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database on the bench's PostgreSQL, dropped at the end of the run. */
async function scratchPostgres(): Promise<string> {
  const name = `parley_bench_${process.pid}_${scratch.length}`;
  const admin = benchPostgresUrl();
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create database "${name}"`);
  scratch.push(() => run(`drop database if exists "${name}" with (force)`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startParley(name: string, bcryptCost: number): Promise<ServerHandle> {
  if (!existsSync(PARLEY_BIN)) throw new Error(`${PARLEY_BIN} does not exist yet`);
  // BENCH_L3_NODE_ARGS adds node flags to Parley's servers (e.g. `--trace-gc`, printed on failure).
  const nodeArgs = [
    '--conditions=parley-source',
    ...(process.env.BENCH_L3_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ];
  return startServer({
    name,
    script: useBin ? PARLEY_BIN : PARLEY_LAUNCHER,
    nodeArgs,
    env: await parleyEnv(bcryptCost),
    healthTimeoutMs: settings.healthTimeoutMs,
  });
}

/** Registers users with real accounts; `tag` keeps the emails of different servers apart. */
async function registerUsers(
  base: string,
  tag: string,
  count: number,
  concurrency: number,
): Promise<BenchUser[]> {
  const started = performance.now();
  const users = await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    (i) => register(base, tag, i),
  );
  log(`${tag}: registered ${count} users in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return users;
}

/** L3: the Parley host on memoryStore, set up through its REST routes. Null while it is not ready. */
async function startL3(driver: DriverHandle): Promise<Layer | null> {
  let server: ServerHandle | null = null;
  try {
    server = await startParley('L3 Parley host', 4);
    const base = server.baseUrl;
    const users = await registerUsers(base, 'l3', messagingUserCount(), 8);
    await mapLimit(
      Array.from({ length: settings.pairs }, (_, i) => i),
      8,
      (i) => befriend(base, users[2 * i]!, users[2 * i + 1]!),
    );
    const groups = new Map<number, string>();
    if (scenarios.has('fanout')) {
      try {
        for (const size of settings.fanoutSizes) {
          const started = performance.now();
          groups.set(size, await openGroup(base, users[0]!, users.slice(0, size), `bench-${size}`, 8));
          log(`L3: group of ${size} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        }
      } catch (error) {
        // Groups may land after 1:1 messaging: the other scenarios still run.
        results.notes.push(`L3 fan-out pending: ${errText(error).split('\n')[0]}`);
        log(`L3 fan-out pending: ${errText(error).split('\n')[0]}`);
      }
    }
    const clients: ClientSpec[] = users.map((u) => ({ userId: u.id, token: u.token }));
    const smoke = await driver.run({
      kind: 'smoke',
      url: base,
      clients: [clients[0]!, clients[1]!],
      timeoutMs: 5000,
    });
    results.layers.L3.smoke = smoke;
    if (!smoke.ok) throw new Error(`smoke test with socket.io-client failed: ${smoke.detail}`);
    return { id: 'L3', server, wire: 'sio', clients, groups };
  } catch (error) {
    // Until the host serves the contract end to end, L3 is pending rather than failed.
    results.layers.L3 = { ...results.layers.L3, status: 'pending', reason: errText(error) };
    log(`L3 pending: ${errText(error).split('\n')[0]}`);
    if (server) log(`L3 server output (tail):\n${server.output().slice(-800)}`);
    await server?.stop();
    return null;
  }
}

async function connectLayer(driver: DriverHandle, layer: Layer, measureMemory: boolean): Promise<void> {
  const { id, server } = layer;
  const before = measureMemory ? await server.probe(true) : null;
  const connect = await driver.run({
    kind: 'connect',
    set: id,
    url: server.baseUrl,
    wire: layer.wire,
    clients: layer.clients,
    concurrency: 32,
    timeoutMs: 10_000,
  });
  log(
    `${id}: ${connect.connected} connections in ${(connect.ms / 1000).toFixed(1)} s (${connect.failed} failed)`,
  );
  if (connect.failed > 0) {
    results.notes.push(`${id}: ${connect.failed} connections failed (${connect.errorSample})`);
    if (connect.connected === 0) throw new Error(`no connection succeeded: ${connect.errorSample}`);
  }
  if (!before) return;
  await sleep(settings.idleSettleMs);
  const after = await server.probe(true);
  const n = connect.connected;
  const figure: IdleFigure = {
    connections: n,
    failed: connect.failed,
    heapPerConnBytes: Math.round((after.memory.heapUsed - before.memory.heapUsed) / n),
    rssPerConnBytes: Math.round((after.memory.rss - before.memory.rss) / n),
    externalPerConnBytes: Math.round(
      (after.memory.external +
        after.memory.arrayBuffers -
        before.memory.external -
        before.memory.arrayBuffers) /
        n,
    ),
    connectSeconds: round(connect.ms / 1000, 2),
  };
  results.idle[id as 'L2' | 'L3'] = figure;
  log(
    `${id} idle: heap ${(figure.heapPerConnBytes / 1024).toFixed(1)} KB/conn, rss ${(figure.rssPerConnBytes / 1024).toFixed(1)} KB/conn`,
  );
}

/** Log suffix for a run with refused or dropped messages; the same goes into the notes of the results. */
function errorsNote(what: string, r: { errors: number; errorSample: string | null }): string {
  if (!r.errors) return '';
  const text = `${r.errors} errors (${r.errorSample?.slice(0, 200)})`;
  results.notes.push(`${what}: ${text}`);
  return `, ${text}`;
}

/** The figures of the round being run. */
let current: RoundFigures = { order: [], throughput: {}, latency: {}, fanout: {} };

const refusedNote = (what: string, refused: number) => {
  if (!refused) return '';
  results.notes.push(`${what}: ${refused} RATE_LIMITED answers (the scenario fails)`);
  return `, ${refused} RATE_LIMITED (FAIL)`;
};

async function fanout(driver: DriverHandle, layer: Layer, members: number): Promise<void> {
  const groupId = layer.groups.get(members);
  if (!groupId) return;
  const r = await driver.run({
    kind: 'group-throughput',
    set: layer.id,
    sender: 0,
    groupId,
    receivers: members - 1,
    window: Math.min(32, Math.max(4, Math.ceil(2000 / (members - 1)))),
    warmupMs: settings.fanoutWarmupMs,
    durationMs: settings.fanoutMs,
    content: CONTENT,
  });
  const f = fanoutFigure(members, r);
  current.fanout[String(members)] ??= {};
  current.fanout[String(members)]![layer.id] = f;
  log(
    `${layer.id} fan-out ${members}: ${Math.round(f.deliveriesPerSec)} deliveries/s (${r.acked} messages in the window), ${f.cpuUsPerDelivery} CPU-µs/delivery${errorsNote(`${layer.id} fan-out ${members}`, r)}${refusedNote(`${layer.id} fan-out ${members}`, r.refused)}`,
  );
}

const pairsOf = (count: number): Pair[] => Array.from({ length: count }, (_, i) => [2 * i, 2 * i + 1]);

const heldBytes = (m: { heapUsed: number; external: number }) => m.heapUsed + m.external;

async function throughput(driver: DriverHandle, layer: Layer): Promise<void> {
  // Full GCs before and after: what the server still holds afterwards, per message sent.
  const before = await layer.server.probe(true);
  const r = await driver.run({
    kind: 'pm-throughput',
    set: layer.id,
    pairs: pairsOf(settings.pairs),
    window: settings.window,
    warmupMs: settings.throughputWarmupMs,
    durationMs: settings.throughputMs,
    content: CONTENT,
  });
  const after = await layer.server.probe(true);
  const f = throughputFigure(r);
  f.retainedBytesPerMsg =
    r.sentTotal > 0 ? round((heldBytes(after.memory) - heldBytes(before.memory)) / r.sentTotal, 1) : null;
  current.throughput[layer.id] = f;
  log(
    `${layer.id} 1:1 throughput: ${Math.round(f.msgsPerSec)} msgs/s, ${f.cpuUsPerMsg} CPU-µs/msg (server ${f.serverCores} cores, ${f.receipts} receipts), kept ${f.retainedBytesPerMsg} B/msg${errorsNote(`${layer.id} 1:1 throughput`, r)}${refusedNote(`${layer.id} 1:1 throughput`, r.refused)}`,
  );
}

async function latency(driver: DriverHandle, layer: Layer, rate: number): Promise<void> {
  const r = await driver.run({
    kind: 'pm-open-loop',
    set: layer.id,
    pairs: pairsOf(settings.pairs),
    rate,
    warmupMs: settings.latencyWarmupMs,
    durationMs: settings.latencyMs,
    drainMs: settings.drainMs,
    content: CONTENT,
  });
  const f = latencyFigure(r);
  current.latency[String(rate)] ??= {};
  current.latency[String(rate)]![layer.id] = f;
  log(
    `${layer.id} latency @${rate}/s: p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms, lost ${f.lost}, ${f.cpuUsPerMsg ?? '?'} CPU-µs/msg${errorsNote(`${layer.id} latency @${rate}/s`, r)}${refusedNote(`${layer.id} latency @${rate}/s`, r.refused)}`,
  );
}

/** With `--profile`, a CPU profile of the server over `step`, written to results/profiles/<label>.cpuprofile. */
async function profiled(server: ServerHandle, label: string, step: () => Promise<void>): Promise<void> {
  if (!profile) return step();
  const dir = join(benchDir, 'results/profiles');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${label}.cpuprofile`);
  await server.profile('start', file);
  try {
    await step();
  } finally {
    await server.profile('stop', file);
    log(`profile: ${file}`);
  }
}

async function profiledPair<T>(server: ServerHandle, label: string, step: () => Promise<T>): Promise<T> {
  let value: T | undefined;
  await profiled(server, label, async () => {
    value = await step();
  });
  return value as T;
}

/** Runs `step` on each layer of `order` in turn; a layer that throws is marked failed and left out of `active`. */
async function eachLayer(
  order: Layer[],
  label: string,
  step: (layer: Layer) => Promise<void>,
  active: Layer[] = order,
): Promise<void> {
  for (const layer of [...order]) {
    if (!active.includes(layer)) continue;
    try {
      await profiled(layer.server, `${layer.id}-${label}`, () => step(layer));
    } catch (error) {
      results.layers[layer.id] = { ...results.layers[layer.id], status: 'failed', reason: errText(error) };
      log(`${layer.id} failed: ${errText(error).split('\n')[0]}`);
      active.splice(active.indexOf(layer), 1);
    }
  }
}

async function runMessaging(driver: DriverHandle): Promise<void> {
  const active: Layer[] = [];
  const attempt = async (id: LayerId, start: () => Promise<Layer | null>) => {
    if (!layers.has(id)) return;
    try {
      const layer = await start();
      if (layer) active.push(layer);
    } catch (error) {
      results.layers[id] = { ...results.layers[id], status: 'failed', reason: errText(error) };
      log(`${id} failed to start: ${errText(error).split('\n')[0]}`);
    }
  };
  try {
    await attempt('L1', startL1);
    await attempt('L2', () => startL2(driver, false));
    if (scenarios.has('throughput') || scenarios.has('latency'))
      await attempt('L2r', () => startL2(driver, true));
    await attempt('L3', () => startL3(driver));
    for (const layer of active) driver.targets.set(layer.id, layer.server);
    await eachLayer(active, 'connect', (layer) =>
      connectLayer(driver, layer, (layer.id === 'L2' || layer.id === 'L3') && scenarios.has('idle')),
    );
    const rounds = Math.max(1, settings.rounds);
    for (let k = 0; k < rounds; k++) {
      // The layer order turns by one each round, so no layer always runs first (or last) on a
      // machine whose load drifts; every ratio is taken between layers of the same round.
      const order = active.map((_, i) => active[(i + k) % active.length]!);
      current = { order: order.map((l) => l.id), throughput: {}, latency: {}, fanout: {} };
      results.rounds.push(current);
      log(`round ${k + 1}/${rounds}: ${current.order.join(' → ')}`);
      if (scenarios.has('fanout'))
        for (const members of settings.fanoutSizes)
          await eachLayer(order, `fanout-${members}`, (l) => fanout(driver, l, members), active);
      if (scenarios.has('throughput'))
        await eachLayer(order, 'throughput', (l) => throughput(driver, l), active);
      if (scenarios.has('latency'))
        for (const rate of settings.rates)
          await eachLayer(order, `latency-${rate}`, (l) => latency(driver, l, rate), active);
    }
    for (const layer of active) {
      if (results.layers[layer.id].status === 'pending') results.layers[layer.id].status = 'ok';
    }
  } finally {
    if (process.env.BENCH_L3_OUTPUT) {
      const l3 = active.find((l) => l.id === 'L3');
      if (l3) process.stderr.write(`--- L3 output (tail) ---\n${l3.server.output()}\n---\n`);
    }
    for (const layer of active) await driver.run({ kind: 'close', set: layer.id }).catch(() => {});
    await Promise.all(active.map((l) => l.server.stop()));
  }
}

/**
 * One core's time for one bcrypt comparison at `cost` (what a login spends on the thread pool),
 * timed on the server's own core when pinned: the orchestrator's core also runs the load driver
 * (and whatever else shares the machine), and a hash timed there made the ceiling too low (logins
 * alone reached 1.33× of it). No server runs at this point.
 */
async function bcryptHashMs(cost: number): Promise<number> {
  const moved = pin(process.pid, pinning.server);
  try {
    const hash = await bcrypt.hash(BENCH_PASSWORD, cost);
    await bcrypt.compare(BENCH_PASSWORD, hash);
    const n = cost >= 10 ? 12 : 40;
    const started = performance.now();
    for (let i = 0; i < n; i++) await bcrypt.compare(BENCH_PASSWORD, hash);
    return (performance.now() - started) / n;
  } finally {
    if (moved) pin(process.pid, pinning.driver);
  }
}

async function runLogin(driver: DriverHandle): Promise<void> {
  let server: ServerHandle | null = null;
  try {
    const hashMs = await bcryptHashMs(settings.bcryptCost);
    // The cores the server may use: one when pinned (taskset), every core otherwise.
    const serverCores = pinning.server === null ? results.machine.nproc : pinning.server.split(',').length;
    const ceiling = serverCores / (hashMs / 1000);
    log(
      `bcrypt cost ${settings.bcryptCost}: ${hashMs.toFixed(1)} ms per hash, ceiling ${ceiling.toFixed(1)} logins/s`,
    );
    server = await startParley('L3 Parley host (logins)', settings.bcryptCost);
    const base = server.baseUrl;
    const users = await registerUsers(base, 'login', settings.loginUsers + 2 * settings.loginPairs, 4);
    const loginUsers = users.slice(0, settings.loginUsers);
    const pairUsers = users.slice(settings.loginUsers);
    await mapLimit(
      Array.from({ length: settings.loginPairs }, (_, i) => i),
      4,
      (i) => befriend(base, pairUsers[2 * i]!, pairUsers[2 * i + 1]!),
    );
    driver.targets.set('login', server);
    await driver.run({
      kind: 'connect',
      set: 'login',
      url: base,
      wire: 'sio',
      clients: pairUsers.map((u) => ({ userId: u.id, token: u.token })),
      concurrency: 8,
      timeoutMs: 10_000,
    });
    const credentials = loginUsers.map((u) => ({ email: u.email, password: u.password }));
    let alonePerSec: number | null = null;
    if (settings.loginAloneMs > 0) {
      const alone = await driver.run({
        kind: 'login',
        set: 'login',
        baseUrl: base,
        credentials,
        concurrency: settings.loginConcurrency,
        warmupMs: settings.loginWarmupMs,
        durationMs: settings.loginAloneMs,
      });
      alonePerSec = (alone.ok / alone.windowMs) * 1000;
      log(`login alone: ${alonePerSec.toFixed(1)}/s (${(alonePerSec / ceiling).toFixed(2)}× ceiling)`);
    }
    const pairs: Pair[] = Array.from({ length: settings.loginPairs }, (_, i) => [2 * i, 2 * i + 1]);
    const [logins, messages] = await profiledPair(server, 'L3-login', () =>
      Promise.all([
        driver.run({
          kind: 'login',
          set: 'login',
          baseUrl: base,
          credentials: loginUsers.map((u) => ({ email: u.email, password: u.password })),
          concurrency: settings.loginConcurrency,
          warmupMs: settings.loginWarmupMs,
          durationMs: settings.loginMs,
        }),
        driver.run({
          kind: 'pm-open-loop',
          set: 'login',
          pairs,
          rate: settings.loginRate,
          warmupMs: settings.loginWarmupMs,
          durationMs: settings.loginMs,
          drainMs: settings.drainMs,
          content: CONTENT,
        }),
      ]),
    );
    await driver.run({ kind: 'close', set: 'login' });
    const perSec = (logins.ok / logins.windowMs) * 1000;
    if (logins.failed)
      results.notes.push(`login: ${logins.failed} refused, statuses ${JSON.stringify(logins.statuses)}`);
    errorsNote('1:1 during logins', messages);
    results.login = {
      status: 'ok',
      bcryptCost: settings.bcryptCost,
      hashMs: round(hashMs, 2),
      ceilingPerSec: round(ceiling, 1),
      loginsPerSec: round(perSec, 1),
      loginP50: round(logins.latency.p50, 1),
      loginP99: round(logins.latency.p99, 1),
      statuses: logins.statuses,
      cpuUsPerLogin:
        logins.serverCpuUs == null || logins.ok === 0 ? null : round(logins.serverCpuUs / logins.ok),
      serverCores:
        logins.serverCpuUs == null ? null : round(logins.serverCpuUs / (logins.windowMs * 1000), 2),
      aloneLoginsPerSec: alonePerSec == null ? null : round(alonePerSec, 1),
      concurrent: latencyFigure(messages),
    };
    log(
      `login: ${perSec.toFixed(1)}/s (${(perSec / ceiling).toFixed(2)}× ceiling, server used ${logins.serverCpuUs == null ? '?' : (logins.serverCpuUs / (logins.windowMs * 1000)).toFixed(2)} cores), statuses ${JSON.stringify(logins.statuses)}; 1:1 p99 meanwhile ${messages.latency.p99.toFixed(1)} ms`,
    );
  } catch (error) {
    results.login = {
      status: results.layers.L3.status === 'ok' ? 'failed' : 'pending',
      reason: errText(error),
    };
    log(`login ${results.login.status}: ${errText(error).split('\n')[0]}`);
  } finally {
    await server?.stop();
  }
}

/** A mongodb:// URI on this machine from BENCH_MONGODB_URI, or why the MongoDB run is skipped. */
function loopbackMongoUri(): { uri: string } | { reason: string } {
  const uri = process.env.BENCH_MONGODB_URI;
  if (!uri) return { reason: 'no mongod configured (BENCH_MONGODB_URI=mongodb://127.0.0.1:27017 runs it)' };
  const host = /^mongodb:\/\/(?:[^@/]*@)?([^:/,?]+)/.exec(uri)?.[1];
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    return { reason: `BENCH_MONGODB_URI must point at this machine (127.0.0.1), not ${host ?? uri}` };
  }
  return { uri };
}

async function historyRun(
  store: 'memory' | 'mongo' | 'sqlite' | 'postgres',
  mongoUri?: string,
): Promise<HistoryFigure> {
  const budget = store === 'memory' ? settings.historyFillBudgetMs : settings.historyMongoFillBudgetMs;
  const answer = await runOnce<{ ok: true; figure: HistoryFigure } | { ok: false; error: string }>({
    script: join(benchDir, 'history/history-bench.ts'),
    nodeArgs: ['--conditions=parley-source', '--max-old-space-size=6144'],
    env: {
      BENCH_HISTORY: JSON.stringify({
        store,
        mongoUri,
        databaseUrl: store === 'postgres' ? await scratchPostgres() : undefined,
        messages: settings.historyMessages,
        iterations:
          store === 'memory' ? settings.historyIterations : Math.min(settings.historyIterations, 5000),
        fillBudgetMs: budget,
      }),
    },
    timeoutMs: budget + 90_000,
  });
  if (!answer.ok) throw new Error(answer.error);
  const f = answer.figure;
  if (f.messages < settings.historyMessages) {
    results.notes.push(
      `history (${store}): the fill budget stopped at ${f.messages} of ${settings.historyMessages} messages (${f.fillSeconds.toFixed(1)} s)`,
    );
  }
  log(
    `history (${store}, ${f.messages} msgs, filled in ${f.fillSeconds.toFixed(1)} s): engine p50 ${f.engine.p50.toFixed(3)} ms, p99 ${f.engine.p99.toFixed(3)} ms; store p99 ${f.store.p99.toFixed(3)} ms`,
  );
  return f;
}

async function runHistory(): Promise<void> {
  try {
    results.history.memory = await historyRun('memory');
  } catch (error) {
    const reason = errText(error);
    results.history.memory = {
      status: /not implemented|unimplemented/i.test(reason) ? 'pending' : 'failed',
      reason,
    };
    log(`history ${results.history.memory.status}: ${reason.split('\n')[0]}`);
  }
  for (const store of ['sqlite', 'postgres'] as const) {
    if (quick) {
      results.history[store] = { status: 'skipped', reason: 'full runs only (quick runs stop at 58 s)' };
      continue;
    }
    try {
      results.history[store] = await historyRun(store);
    } catch (error) {
      results.history[store] = { status: 'failed', reason: errText(error) };
      log(`history (${store}) failed: ${errText(error).split('\n')[0]}`);
    }
  }
  const mongo = loopbackMongoUri();
  if ('reason' in mongo) {
    results.history.mongo = { status: 'skipped', reason: mongo.reason };
    return;
  }
  try {
    results.history.mongo = await historyRun('mongo', mongo.uri);
  } catch (error) {
    results.history.mongo = { status: 'failed', reason: errText(error) };
    log(`history (mongo) failed: ${errText(error).split('\n')[0]}`);
  }
}

// ---------------------------------------------------------------------------------------------

function finish(): void {
  results.finishedAt = new Date().toISOString();
  results.elapsedSeconds = round((performance.now() - t0) / 1000, 1);
  summarizeRounds(results);
  results.targets = checkTargets(results);
  const file = writeJson(join(benchDir, 'results'), results);
  process.stdout.write(`\n${renderText(results)}\n\n`);
  const missed = results.targets.filter((t) => t.pass === false).map((t) => t.id);
  process.stdout.write(
    `targets missed: ${missed.length ? missed.join(', ') : 'none'}; layers: ${LAYER_IDS.map(
      (l) => `${l} ${results.layers[l].status}`,
    ).join(', ')}\n`,
  );
  process.stdout.write(`results: ${file} (${results.elapsedSeconds} s)\n`);
  if (writeDoc) {
    const doc = join(repoRoot, 'BENCHMARKS.md');
    updateBenchmarksDoc(doc, FALLBACK_DOC, results);
    process.stdout.write(`updated ${doc}\n`);
  }
}

const FALLBACK_DOC = `# Benchmarks

## Machine

<!-- bench:machine:begin -->
<!-- bench:machine:end -->

## Latest results

<!-- bench:latest:begin -->
<!-- bench:latest:end -->
`;

async function main(): Promise<void> {
  results.budgets = { ...BUDGETS };
  log(pinning.note);
  log(
    `Parley's event budgets set by the bench: ${Object.entries(BUDGETS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')} (charged on every event; any RATE_LIMITED answer fails its scenario)`,
  );
  log(
    `${results.mode} run on ${results.machine.nproc} × ${results.machine.cpuModel}, node ${results.machine.node}, load ${results.machine.loadAverage.join('/')}`,
  );
  const watchdog = setTimeout(() => {
    log(`watchdog: the run passed ${settings.watchdogMs} ms; stopping every child`);
    results.notes.push(`aborted by the watchdog after ${settings.watchdogMs} ms`);
    killAll(200).finally(() => {
      finish();
      process.exit(2);
    });
  }, settings.watchdogMs);
  const driver = startDriver();
  try {
    if (['throughput', 'latency', 'fanout', 'idle'].some((s) => scenarios.has(s as Scenario))) {
      await runMessaging(driver);
    }
    if (layers.has('L3') && scenarios.has('login')) await runLogin(driver);
    if (scenarios.has('history')) await runHistory();
    if (scenarios.has('search')) results.notes.push(...(await runSearch({ quick, scratchPostgres, log })));
  } finally {
    clearTimeout(watchdog);
    await driver.stop();
    await killAll();
    for (const cleanup of scratch) await cleanup().catch(() => {});
  }
  finish();
}

main().catch(async (error: unknown) => {
  log(`run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await killAll(200);
  process.exit(1);
});
