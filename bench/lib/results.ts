/** The shape of bench/results/latest.json and the target checks made on it. */
import type { MachineInfo } from './machine.js';
import type { SmokeResult } from './protocol.js';

export type LayerId = 'L1' | 'L2' | 'L2r' | 'L3';
/** Every layer, in the order tables show them. */
export const LAYER_IDS: readonly LayerId[] = ['L1', 'L2', 'L2r', 'L3'];

export interface LayerStatus {
  status: 'ok' | 'failed' | 'pending' | 'skipped';
  reason?: string;
  smoke?: SmokeResult;
}

export interface ThroughputFigure {
  msgsPerSec: number;
  /** Server CPU time per delivered message, µs. */
  cpuUsPerMsg: number | null;
  /** Share of one core the server used in the window. */
  serverCores: number | null;
  delivered: number;
  /** Delivery receipts (`message_delivered`) the senders got in the window: the pipeline ran end to end. */
  receipts: number;
  windowMs: number;
  errors: number;
  errorSample: string | null;
  /** Answers RATE_LIMITED (the limiter refused): any makes the scenario fail. */
  refused: number;
  unfinished: number;
  /** Heap + external bytes the server kept per message sent (after full GCs around the run). */
  retainedBytesPerMsg?: number | null;
}

export interface LatencyFigure {
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  sent: number;
  delivered: number;
  lost: number;
  errors: number;
  errorSample: string | null;
  refused: number;
  /** p99 of how late the driver itself sent vs schedule. */
  driverLagP99: number;
  /**
   * Server CPU per message sent at this fixed rate (µs; null when not probed): higher than in the
   * throughput scenario, where a busy socket's frames share reads and writes.
   */
  cpuUsPerMsg?: number | null;
}

export interface FanoutFigure {
  members: number;
  deliveriesPerSec: number;
  cpuUsPerDelivery: number | null;
  messagesPerSec: number;
  errors: number;
  errorSample: string | null;
  refused: number;
  unfinished: number;
}

export interface IdleFigure {
  connections: number;
  failed: number;
  heapPerConnBytes: number;
  rssPerConnBytes: number;
  externalPerConnBytes: number;
  connectSeconds: number;
}

export interface LoginFigure {
  status: 'ok';
  bcryptCost: number;
  hashMs: number;
  /** nproc ÷ hash time: logins/s if every core did nothing but bcrypt. */
  ceilingPerSec: number;
  loginsPerSec: number;
  loginP50: number;
  loginP99: number;
  statuses: Record<string, number>;
  cpuUsPerLogin: number | null;
  /** Cores the server used during the logins (2 would mean the whole machine). */
  serverCores: number | null;
  /** Logins/s with no messaging on the server (full runs), null when not measured. */
  aloneLoginsPerSec: number | null;
  /** 1:1 open loop running during the logins. */
  concurrent: LatencyFigure;
}

export interface HistoryFigure {
  status: 'ok';
  messages: number;
  fillSeconds: number;
  iterations: number;
  /** engine.messages.privateHistory with a random beforeSeq, limit 50, ms. */
  engine: { p50: number; p99: number; p999: number; max: number };
  /** The same without a cursor (newest page). */
  newest: { p50: number; p99: number; max: number };
  /** store.messages.listMessages alone, to split the engine's cost from the store's. */
  store: { p50: number; p99: number; max: number };
  heapUsedMB: number;
  /** How the store was filled: appends one by one, or rows bulk-inserted (SQL stores). */
  fill?: 'append' | 'bulk';
  /** SQL stores: private sends (engine.messages.sendPrivate) one after another, timed, ms. */
  send?: { count: number; p50: number; p99: number; max: number };
  /** SQL stores: the event loop's delay during those sends (monitorEventLoopDelay, 1 ms resolution), ms. */
  sendLoopDelay?: { p99: number; max: number };
}

export type Maybe<T> = T | { status: 'skipped' | 'pending' | 'failed'; reason: string };

export interface TargetResult {
  id: string;
  description: string;
  /** The measured value the target reads (a ratio or an absolute), null when not measured. */
  value: number | null;
  limit: string;
  pass: boolean | null;
  /** Range of the value over the rounds (ratios taken within each round). */
  min?: number;
  max?: number;
  rounds?: number;
}

/** The figures of one round: every layer visited once per scenario, in `order`. */
export interface RoundFigures {
  order: LayerId[];
  throughput: Partial<Record<LayerId, ThroughputFigure>>;
  latency: Record<string, Partial<Record<LayerId, LatencyFigure>>>;
  fanout: Record<string, Partial<Record<LayerId, FanoutFigure>>>;
}

/** A figure over the rounds: median and range of the values measured within each round. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export interface BenchResults {
  version: 1;
  mode: 'quick' | 'full';
  startedAt: string;
  finishedAt: string;
  elapsedSeconds: number;
  machine: MachineInfo;
  settings: Record<string, unknown>;
  layers: Record<LayerId, LayerStatus>;
  /** Per round, layers rotated from one round to the next; ratios are taken within a round. */
  rounds: RoundFigures[];
  /** Median figures over the rounds (each field its own median). */
  throughput: Partial<Record<LayerId, ThroughputFigure>>;
  latency: Record<string, Partial<Record<LayerId, LatencyFigure>>>;
  fanout: Record<string, Partial<Record<LayerId, FanoutFigure>>>;
  /**
   * Spreads over the rounds, e.g. `throughput.L3/L2r`, `cpu.L3/L2`, `p99@2000.L3`, `fanout@1000.L3/L2`,
   * `retained.L3` (bytes per message): each value is computed within one round.
   */
  spreads: Record<string, Spread>;
  /** Where the server and the driver ran (taskset), or why unpinned. */
  pinning: { server: string | null; driver: string | null; note: string };
  /** The store of Parley's servers (BENCH_L3_STORE). */
  l3Store: string;
  /** The event budgets the bench set on Parley's servers. */
  budgets: Record<string, string>;
  idle: Partial<Record<'L2' | 'L3', IdleFigure>>;
  login: Maybe<LoginFigure>;
  history: {
    memory: Maybe<HistoryFigure>;
    mongo: Maybe<HistoryFigure>;
    sqlite?: Maybe<HistoryFigure>;
    postgres?: Maybe<HistoryFigure>;
  };
  targets: TargetResult[];
  notes: string[];
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b;

export function spreadOf(values: number[]): Spread | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v.at(-1)!, values };
}

const medianOf = (values: (number | null | undefined)[]) =>
  spreadOf(values.filter((v): v is number => v != null))?.median ?? null;

/** Field by field median of one layer's figures over the rounds. */
function medianFigure<T extends object>(figures: T[]): T | undefined {
  if (figures.length === 0) return undefined;
  const out = { ...figures[0]! } as Record<string, unknown>;
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === 'number' || value === null) {
      const m = medianOf(figures.map((f) => (f as Record<string, unknown>)[key] as number | null));
      out[key] = m == null ? value : Math.round(m * 1000) / 1000;
    }
  }
  // Counts that must hold in every round are summed, not taken at the median.
  for (const key of ['errors', 'refused', 'lost']) {
    if (key in out)
      out[key] = figures.reduce((n, f) => n + (((f as Record<string, unknown>)[key] as number) ?? 0), 0);
  }
  return out as T;
}

/** Fills the median figures and the spreads of ratios (taken within each round) from the rounds. */
export function summarizeRounds(r: BenchResults): void {
  const rounds = r.rounds;
  const layersIn = (pick: (round: RoundFigures) => Partial<Record<LayerId, unknown>> | undefined) =>
    LAYER_IDS.filter((id) => rounds.some((round) => pick(round)?.[id] !== undefined));
  const collect = <F>(pick: (round: RoundFigures) => Partial<Record<LayerId, F>> | undefined, id: LayerId) =>
    rounds.map((round) => pick(round)?.[id]).filter((f): f is F => f !== undefined);
  const spread = (key: string, perRound: (round: RoundFigures) => number | null | undefined) => {
    const s = spreadOf(rounds.map(perRound).filter((v): v is number => v != null && Number.isFinite(v)));
    if (s) r.spreads[key] = s;
  };
  r.throughput = {};
  for (const id of layersIn((x) => x.throughput)) {
    r.throughput[id] = medianFigure(collect((x) => x.throughput, id));
    spread(`throughput.${id}`, (x) => x.throughput[id]?.msgsPerSec);
    spread(`cpu.${id}`, (x) => x.throughput[id]?.cpuUsPerMsg);
    spread(`retained.${id}`, (x) => x.throughput[id]?.retainedBytesPerMsg);
  }
  for (const base of ['L2r', 'L2', 'L1'] as const) {
    spread(`throughput.L3/${base}`, (x) =>
      ratio(x.throughput.L3?.msgsPerSec, x.throughput[base]?.msgsPerSec),
    );
    spread(`cpu.L3/${base}`, (x) => ratio(x.throughput.L3?.cpuUsPerMsg, x.throughput[base]?.cpuUsPerMsg));
  }
  spread('throughput.L2r/L2', (x) => ratio(x.throughput.L2r?.msgsPerSec, x.throughput.L2?.msgsPerSec));
  spread('cpu.L2r/L2', (x) => ratio(x.throughput.L2r?.cpuUsPerMsg, x.throughput.L2?.cpuUsPerMsg));
  r.latency = {};
  const rates = new Set(rounds.flatMap((x) => Object.keys(x.latency)));
  for (const rate of rates) {
    const slot: Partial<Record<LayerId, LatencyFigure>> = {};
    for (const id of layersIn((x) => x.latency[rate])) {
      slot[id] = medianFigure(collect((x) => x.latency[rate], id));
      spread(`p99@${rate}.${id}`, (x) => x.latency[rate]?.[id]?.p99);
      spread(`p50@${rate}.${id}`, (x) => x.latency[rate]?.[id]?.p50);
    }
    r.latency[rate] = slot;
    for (const base of ['L2r', 'L2'] as const)
      spread(`p99@${rate}.L3/${base}`, (x) => ratio(x.latency[rate]?.L3?.p99, x.latency[rate]?.[base]?.p99));
  }
  r.fanout = {};
  const sizes = new Set(rounds.flatMap((x) => Object.keys(x.fanout)));
  for (const size of sizes) {
    const slot: Partial<Record<LayerId, FanoutFigure>> = {};
    for (const id of layersIn((x) => x.fanout[size])) {
      slot[id] = medianFigure(collect((x) => x.fanout[size], id));
      spread(`fanout@${size}.${id}`, (x) => x.fanout[size]?.[id]?.deliveriesPerSec);
    }
    r.fanout[size] = slot;
    spread(`fanout@${size}.L3/L2`, (x) =>
      ratio(x.fanout[size]?.L3?.deliveriesPerSec, x.fanout[size]?.L2?.deliveriesPerSec),
    );
    spread(`fanoutCpu@${size}.L3/L2`, (x) =>
      ratio(x.fanout[size]?.L3?.cpuUsPerDelivery, x.fanout[size]?.L2?.cpuUsPerDelivery),
    );
  }
}

function target(
  id: string,
  description: string,
  value: number | null,
  limit: string,
  ok: (v: number) => boolean,
  spread?: Spread,
  refused = 0,
): TargetResult {
  const pass = value == null ? null : refused > 0 ? false : ok(value);
  return {
    id,
    description: refused > 0 ? `${description} (FAILED: ${refused} RATE_LIMITED answers)` : description,
    value,
    limit,
    pass,
    ...(spread ? { min: spread.min, max: spread.max, rounds: spread.values.length } : {}),
  };
}

/**
 * What an idle connection costs: heap plus external memory (buffers) after forced GCs. RSS is shown
 * but not judged: it moves with when V8 returns freed pages, and a server that freed a lot before
 * the baseline (Parley, after registering its users) reuses those pages and looks cheaper than it is.
 */
export const idleBytes = (f: IdleFigure | undefined) =>
  f ? f.heapPerConnBytes + f.externalPerConnBytes : null;

/** The targets, read from the figures of this run (medians of ratios taken within rounds). */
export function checkTargets(r: BenchResults): TargetResult[] {
  const login = r.login.status === 'ok' ? (r.login as LoginFigure) : null;
  const history = r.history.memory.status === 'ok' ? (r.history.memory as HistoryFigure) : null;
  const sp = (key: string) => r.spreads[key];
  const med = (key: string) => sp(key)?.median ?? null;
  const refusedIn = (pick: (round: RoundFigures) => { refused?: number } | undefined) =>
    r.rounds.reduce((n, round) => n + (pick(round)?.refused ?? 0), 0);
  const tpRefused = refusedIn((x) => x.throughput.L3);
  const all = [
    target(
      'T1-throughput',
      '1:1 throughput, Parley ÷ bare Socket.IO with receipts (L2r)',
      med('throughput.L3/L2r'),
      '≥ 0.8×',
      (v) => v >= 0.8,
      sp('throughput.L3/L2r'),
      tpRefused,
    ),
    target(
      'T1-cpu',
      '1:1 server CPU-µs per message, Parley ÷ L2r',
      med('cpu.L3/L2r'),
      '≤ 1.25×',
      (v) => v <= 1.25,
      sp('cpu.L3/L2r'),
      tpRefused,
    ),
    target(
      'T2-p99',
      '1:1 p99 at 2k msgs/s (ms, from intended send time)',
      med('p99@2000.L3'),
      '≤ 20 ms',
      (v) => v <= 20,
      sp('p99@2000.L3'),
      refusedIn((x) => x.latency['2000']?.L3) + refusedIn((x) => x.latency['1000']?.L3),
    ),
    target(
      'T3-fanout',
      'fan-out to 1000 members, deliveries/s, Parley ÷ bare room broadcast (L2)',
      med('fanout@1000.L3/L2'),
      '≥ 0.9×',
      (v) => v >= 0.9,
      sp('fanout@1000.L3/L2'),
      refusedIn((x) => x.fanout['1000']?.L3) +
        refusedIn((x) => x.fanout['100']?.L3) +
        refusedIn((x) => x.fanout['10']?.L3),
    ),
    target(
      'T4-memory',
      'idle heap + external memory per connection, Parley ÷ bare Socket.IO',
      ratio(idleBytes(r.idle.L3), idleBytes(r.idle.L2)),
      '≤ 1.2×',
      (v) => v <= 1.2,
    ),
    target(
      'T4-retained',
      r.l3Store === 'memory'
        ? 'heap + external kept per message sent (bytes), memoryStore: includes the stored message itself, so judged on SQLite runs'
        : `heap + external kept per message sent (bytes), ${r.l3Store} store (the store keeps messages off the heap)`,
      med('retained.L3'),
      '≤ 100 B',
      (v) => v <= 100,
      sp('retained.L3'),
    ),
    target(
      'T5-login',
      'login throughput ÷ bcrypt ceiling (server cores ÷ hash time)',
      login ? login.loginsPerSec / login.ceilingPerSec : null,
      '≥ 0.9×',
      (v) => v >= 0.9,
    ),
    target(
      'T5-p99',
      '1:1 p99 while logins run (ms)',
      login ? login.concurrent.p99 : null,
      '≤ 50 ms',
      (v) => v <= 50,
      undefined,
      login?.concurrent.refused ?? 0,
    ),
    target(
      'T6-history',
      'history page (engine call) p99 with 1M messages in memoryStore (ms)',
      history && history.messages >= 1_000_000 ? history.engine.p99 : null,
      '< 2 ms',
      (v) => v < 2,
    ),
  ];
  // On memoryStore the retained bytes include the stored messages: shown, not judged.
  const retained = all.find((t) => t.id === 'T4-retained');
  if (retained && r.l3Store === 'memory') retained.pass = null;
  return all;
}
