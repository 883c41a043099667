/** The shape of bench/results/latest.json and the target checks made on it. */
import type { MachineInfo } from './machine.js';
import type { SmokeResult } from './protocol.js';

export type LayerId = 'L1' | 'L2' | 'L3';

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
  unfinished: number;
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
  /** p99 of how late the driver itself sent vs schedule. */
  driverLagP99: number;
}

export interface FanoutFigure {
  members: number;
  deliveriesPerSec: number;
  cpuUsPerDelivery: number | null;
  messagesPerSec: number;
  errors: number;
  errorSample: string | null;
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
  throughput: Partial<Record<LayerId, ThroughputFigure>>;
  latency: Record<string, Partial<Record<LayerId, LatencyFigure>>>;
  fanout: Record<string, Partial<Record<'L2' | 'L3', FanoutFigure>>>;
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

function target(
  id: string,
  description: string,
  value: number | null,
  limit: string,
  ok: (v: number) => boolean,
): TargetResult {
  return { id, description, value, limit, pass: value == null ? null : ok(value) };
}

/**
 * What an idle connection costs: heap plus external memory (buffers) after forced GCs. RSS is shown
 * but not judged: it moves with when V8 returns freed pages, and a server that freed a lot before
 * the baseline (Parley, after registering its users) reuses those pages and looks cheaper than it is.
 */
export const idleBytes = (f: IdleFigure | undefined) =>
  f ? f.heapPerConnBytes + f.externalPerConnBytes : null;

/** The targets, read from the figures of this run. */
export function checkTargets(r: BenchResults): TargetResult[] {
  const t2k = r.latency['2000']?.L3;
  const login = r.login.status === 'ok' ? (r.login as LoginFigure) : null;
  const history = r.history.memory.status === 'ok' ? (r.history.memory as HistoryFigure) : null;
  return [
    target(
      'T1-throughput',
      '1:1 throughput, Parley ÷ bare Socket.IO',
      ratio(r.throughput.L3?.msgsPerSec, r.throughput.L2?.msgsPerSec),
      '≥ 0.8×',
      (v) => v >= 0.8,
    ),
    target(
      'T1-cpu',
      '1:1 server CPU-µs per message, Parley ÷ bare Socket.IO',
      ratio(r.throughput.L3?.cpuUsPerMsg, r.throughput.L2?.cpuUsPerMsg),
      '≤ 1.25×',
      (v) => v <= 1.25,
    ),
    target(
      'T2-p99',
      '1:1 p99 at 2k msgs/s (ms, from intended send time)',
      t2k ? t2k.p99 : null,
      '≤ 20 ms',
      (v) => v <= 20,
    ),
    target(
      'T3-fanout',
      'fan-out to 1000 members, deliveries/s, Parley ÷ bare room broadcast',
      ratio(r.fanout['1000']?.L3?.deliveriesPerSec, r.fanout['1000']?.L2?.deliveriesPerSec),
      '≥ 0.8×',
      (v) => v >= 0.8,
    ),
    target(
      'T4-memory',
      'idle heap + external memory per connection, Parley ÷ bare Socket.IO',
      ratio(idleBytes(r.idle.L3), idleBytes(r.idle.L2)),
      '≤ 1.3×',
      (v) => v <= 1.3,
    ),
    target(
      'T5-login',
      'login throughput ÷ bcrypt ceiling (cores ÷ hash time)',
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
    ),
    target(
      'T6-history',
      'history page (engine call) p99 with 1M messages in memoryStore (ms)',
      history && history.messages >= 1_000_000 ? history.engine.p99 : null,
      '< 2 ms',
      (v) => v < 2,
    ),
  ];
}
