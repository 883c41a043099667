/**
 * The load driver: a child process of its own (about one core of the two), holding every client
 * connection. It runs the jobs the orchestrator sends over IPC and answers with counts and
 * latencies; around each measured window it asks the orchestrator for the server's CPU time
 * (`mark`), so the CPU figure covers exactly the counted window.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ClientSpec,
  ConnectResult,
  CpuSnapshot,
  DriverInbound,
  DriverMessage,
  Job,
  JobResult,
  LoginResult,
  OpenLoopResult,
  ThroughputResult,
  WireKind,
} from '../lib/protocol.js';
import { sampleRecorder, summarize } from '../lib/stats.js';
import { smoke } from './smoke.js';
import { type ClientHandlers, openClient, type WireClient } from './wire-client.js';

type Sink = Omit<ClientHandlers, 'onReceipt'> & { onReceipt?(clientIndex: number): void };

const now = () => performance.now();
const sets = new Map<string, WireClient[]>();
const clientsOf = (set: string): WireClient[] => {
  const list = sets.get(set);
  if (!list) throw new Error(`no client set ${set}`);
  return list;
};
let sink: Sink | null = null;
const drops = { count: 0, sample: null as string | null };
/** RATE_LIMITED answers since the driver started: a job reports the ones during it. */
let refusedCount = 0;
let sentCount = 0;
const handlers: ClientHandlers = {
  onDelivery: (cid, to) => sink?.onDelivery(cid, to),
  onAck: (cid, ok, raw) => {
    if (!ok && raw.includes('RATE_LIMITED')) refusedCount++;
    sink?.onAck(cid, ok, raw);
  },
  onReceipt: (index) => sink?.onReceipt?.(index),
  onDrop: (reason) => {
    drops.count++;
    drops.sample ??= reason;
    sink?.onDrop(reason);
  },
};

// Parley refuses a repeated clientMsgId per sender, so every message of the run gets a new one.
const cidPrefix = randomBytes(3).toString('hex');
let cidSeq = 0;
const nextCid = () => {
  sentCount++;
  return `${cidPrefix}${(++cidSeq).toString(36)}`;
};

let markSeq = 0;
const marks = new Map<number, (cpu: CpuSnapshot | null) => void>();
function mark(set: string): Promise<CpuSnapshot | null> {
  const id = ++markSeq;
  return new Promise((resolve) => {
    marks.set(id, resolve);
    send({ type: 'mark', id, set });
  });
}
const cpuDelta = (a: CpuSnapshot | null, b: CpuSnapshot | null) =>
  a && b ? b.user + b.system - (a.user + a.system) : null;

function send(message: DriverMessage): void {
  process.send?.(message);
}

async function connect(job: Extract<Job, { kind: 'connect' }>): Promise<ConnectResult> {
  const started = now();
  let failed = 0;
  let errorSample: string | null = null;
  let next = 0;
  const opened: WireClient[] = new Array(job.clients.length);
  const worker = async () => {
    while (next < job.clients.length) {
      const i = next++;
      const spec = job.clients[i] as ClientSpec;
      const client = openClient(job.wire as WireKind, job.url, spec, i, handlers);
      opened[i] = client;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          client.ready,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('connect timeout')), job.timeoutMs);
          }),
        ]);
      } catch (error) {
        failed++;
        errorSample ??= error instanceof Error ? error.message : String(error);
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, job.concurrency) }, worker));
  for (const c of sets.get(job.set) ?? []) c.close();
  sets.set(job.set, opened);
  return { connected: job.clients.length - failed, failed, errorSample, ms: now() - started };
}

async function pmThroughput(job: Extract<Job, { kind: 'pm-throughput' }>): Promise<ThroughputResult> {
  const clients = clientsOf(job.set);
  const refused0 = refusedCount;
  const sent0 = sentCount;
  const state = new Map<string, { pair: number; flags: number }>();
  let running = true;
  let counting = false;
  let delivered = 0;
  let acked = 0;
  let receipts = 0;
  let errors = 0;
  let errorSample: string | null = null;
  const sendOne = (p: number) => {
    const [s, r] = job.pairs[p]!;
    const cid = nextCid();
    state.set(cid, { pair: p, flags: 0 });
    try {
      clients[s]!.sendPrivate(clients[r]!.userId, job.content, cid);
    } catch (error) {
      state.delete(cid);
      errors++;
      errorSample ??= String(error);
    }
  };
  const finish = (cid: string, pair: number) => {
    state.delete(cid);
    if (running) sendOne(pair);
  };
  sink = {
    onDelivery(cid, to) {
      const e = state.get(cid);
      if (!e || to !== job.pairs[e.pair]![1]) return;
      if (counting) delivered++;
      e.flags |= 2;
      if (e.flags === 3) finish(cid, e.pair);
    },
    onAck(cid, ok, raw) {
      const e = state.get(cid);
      if (!e) return;
      if (!ok) {
        errors++;
        errorSample ??= raw.slice(0, 300);
        finish(cid, e.pair);
        return;
      }
      if (counting) acked++;
      e.flags |= 1;
      if (e.flags === 3) finish(cid, e.pair);
    },
    onReceipt() {
      if (counting) receipts++;
    },
    onDrop(reason) {
      errors++;
      errorSample ??= reason;
    },
  };
  for (let p = 0; p < job.pairs.length; p++) for (let w = 0; w < job.window; w++) sendOne(p);
  const window = await measuredWindow(job, {
    count: (on) => {
      counting = on;
    },
    stop: () => {
      running = false;
    },
    drained: () => state.size === 0,
  });
  sink = null;
  return {
    ...window,
    delivered,
    acked,
    receipts,
    errors,
    errorSample,
    refused: refusedCount - refused0,
    sentTotal: sentCount - sent0,
    unfinished: state.size,
  };
}

/**
 * The measured window of the closed-loop scenarios: warm up, count for `durationMs` with the
 * server's CPU read at both ends, stop sending, then let what is in flight drain (up to 3 s).
 */
async function measuredWindow(
  job: { set: string; warmupMs: number; durationMs: number },
  control: { count(on: boolean): void; stop(): void; drained(): boolean },
): Promise<{ windowMs: number; serverCpuUs: number | null }> {
  await sleep(job.warmupMs);
  const cpu0 = await mark(job.set);
  control.count(true);
  const t0 = now();
  await sleep(job.durationMs);
  control.count(false);
  const t1 = now();
  const cpu1 = await mark(job.set);
  control.stop();
  const drainUntil = now() + 3000;
  while (!control.drained() && now() < drainUntil) await sleep(20);
  return { windowMs: t1 - t0, serverCpuUs: cpuDelta(cpu0, cpu1) };
}

async function groupThroughput(job: Extract<Job, { kind: 'group-throughput' }>): Promise<ThroughputResult> {
  const perMessage = job.receivers;
  const refused0 = refusedCount;
  const sent0 = sentCount;
  const remaining = new Map<string, number>();
  let ackOutstanding = 0;
  let running = true;
  let counting = false;
  let delivered = 0;
  let acked = 0;
  let errors = 0;
  let errorSample: string | null = null;
  const sender = clientsOf(job.set)[job.sender]!;
  const pump = () => {
    while (running && ackOutstanding < job.window && remaining.size < job.window) {
      const cid = nextCid();
      remaining.set(cid, perMessage);
      ackOutstanding++;
      try {
        sender.sendGroup(job.groupId, job.content, cid);
      } catch (error) {
        remaining.delete(cid);
        ackOutstanding--;
        errors++;
        errorSample ??= String(error);
        return;
      }
    }
  };
  sink = {
    onDelivery(cid, to) {
      const left = remaining.get(cid);
      if (left === undefined || to === job.sender) return;
      if (counting) delivered++;
      if (left <= 1) {
        remaining.delete(cid);
        pump();
      } else remaining.set(cid, left - 1);
    },
    onAck(_cid, ok, raw) {
      ackOutstanding--;
      if (!ok) {
        errors++;
        errorSample ??= raw.slice(0, 300);
        remaining.delete(_cid);
      } else if (counting) acked++;
      pump();
    },
    onDrop(reason) {
      errors++;
      errorSample ??= reason;
    },
  };
  pump();
  const window = await measuredWindow(job, {
    count: (on) => {
      counting = on;
    },
    stop: () => {
      running = false;
    },
    drained: () => remaining.size === 0 && ackOutstanding === 0,
  });
  sink = null;
  return {
    ...window,
    delivered,
    acked,
    receipts: 0,
    errors,
    errorSample,
    refused: refusedCount - refused0,
    sentTotal: sentCount - sent0,
    unfinished: remaining.size,
  };
}

async function pmOpenLoop(job: Extract<Job, { kind: 'pm-open-loop' }>): Promise<OpenLoopResult> {
  const clients = clientsOf(job.set);
  const refused0 = refusedCount;
  const interval = 1000 / job.rate;
  const warmupCount = Math.round((job.warmupMs / 1000) * job.rate);
  const total = warmupCount + Math.round((job.durationMs / 1000) * job.rate);
  const intended = new Map<string, { due: number; measured: boolean; to: number }>();
  const latencies = sampleRecorder();
  const lags = sampleRecorder();
  let sent = 0;
  let delivered = 0;
  let errors = 0;
  let errorSample: string | null = null;
  let k = 0;
  sink = {
    onDelivery(cid, to) {
      const e = intended.get(cid);
      if (!e || e.to !== to) return;
      intended.delete(cid);
      if (!e.measured) return;
      delivered++;
      latencies.add(now() - e.due);
    },
    onAck(cid, ok, raw) {
      if (ok) return;
      errors++;
      errorSample ??= raw.slice(0, 300);
      intended.delete(cid);
    },
    onDrop(reason) {
      errors++;
      errorSample ??= reason;
    },
  };
  const start = now() + 5;
  // The server's CPU over the measured sends (from the first measured one to the last), read
  // without pausing the schedule: CPU per message at a fixed rate, where nothing batches.
  let cpuStart: Promise<CpuSnapshot | null> | null = null;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const t = now();
      if (k >= warmupCount && cpuStart === null) cpuStart = mark(job.set);
      // Every message due by now goes out, each stamped with its scheduled time: a late send
      // (driver or server stalled) counts fully against the latency.
      while (k < total && start + k * interval <= t) {
        const due = start + k * interval;
        const [s, r] = job.pairs[k % job.pairs.length]!;
        const cid = nextCid();
        const measured = k >= warmupCount;
        intended.set(cid, { due, measured, to: r });
        if (measured) {
          sent++;
          lags.add(t - due);
        }
        try {
          clients[s]!.sendPrivate(clients[r]!.userId, job.content, cid);
        } catch (error) {
          intended.delete(cid);
          errors++;
          errorSample ??= String(error);
        }
        k++;
      }
      if (k < total) setTimeout(tick, Math.max(0, start + k * interval - now()));
      else resolve();
    };
    setTimeout(tick, 5);
  });
  const cpuEnd = await mark(job.set);
  const serverCpuUs = cpuDelta(await (cpuStart ?? Promise.resolve(null)), cpuEnd);
  const deadline = now() + job.drainMs;
  const pendingMeasured = () => {
    for (const e of intended.values()) if (e.measured) return true;
    return false;
  };
  while (pendingMeasured() && now() < deadline) await sleep(10);
  let lost = 0;
  for (const e of intended.values()) {
    if (!e.measured) continue;
    lost++;
    latencies.add(deadline - e.due);
  }
  sink = null;
  return {
    rate: job.rate,
    sent,
    delivered,
    lost,
    errors,
    errorSample,
    refused: refusedCount - refused0,
    latency: summarize(latencies.values()),
    sendLag: summarize(lags.values()),
    serverCpuUs,
  };
}

async function login(job: Extract<Job, { kind: 'login' }>): Promise<LoginResult> {
  const statuses: Record<string, number> = {};
  const latencies = sampleRecorder(1024);
  let ok = 0;
  let failed = 0;
  let counting = false;
  let running = true;
  let next = 0;
  const worker = async () => {
    while (running) {
      const cred = job.credentials[next++ % job.credentials.length]!;
      const t = now();
      let status = 'error';
      try {
        const res = await fetch(`${job.baseUrl}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(cred),
        });
        await res.arrayBuffer();
        status = String(res.status);
      } catch (error) {
        status = `error:${error instanceof Error ? error.message : String(error)}`;
      }
      if (!counting) continue;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === '200') {
        ok++;
        latencies.add(now() - t);
      } else failed++;
    }
  };
  const workers = Array.from({ length: job.concurrency }, worker);
  await sleep(job.warmupMs);
  const cpu0 = await mark(job.set);
  counting = true;
  const t0 = now();
  await sleep(job.durationMs);
  counting = false;
  const t1 = now();
  const cpu1 = await mark(job.set);
  running = false;
  await Promise.all(workers);
  return {
    windowMs: t1 - t0,
    ok,
    failed,
    statuses,
    latency: summarize(latencies.values()),
    serverCpuUs: cpuDelta(cpu0, cpu1),
  };
}

async function run(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case 'connect':
      return { kind: 'connect', result: await connect(job) };
    case 'close': {
      const list = sets.get(job.set) ?? [];
      for (const c of list) c?.close();
      sets.delete(job.set);
      return { kind: 'close', result: { closed: list.length } };
    }
    case 'smoke':
      return { kind: 'smoke', result: await smoke(job.url, job.clients, job.timeoutMs) };
    case 'pm-throughput':
      return { kind: 'pm-throughput', result: await pmThroughput(job) };
    case 'group-throughput':
      return { kind: 'group-throughput', result: await groupThroughput(job) };
    case 'pm-open-loop':
      return { kind: 'pm-open-loop', result: await pmOpenLoop(job) };
    case 'login':
      return { kind: 'login', result: await login(job) };
  }
}

process.on('message', (raw: DriverInbound | { probe: 'exit' }) => {
  if ('probe' in raw) process.exit(0);
  if (raw.type === 'mark-reply') {
    marks.get(raw.id)?.(raw.cpu);
    marks.delete(raw.id);
    return;
  }
  if (raw.type !== 'job') return;
  run(raw.job).then(
    (outcome) => send({ type: 'job-done', id: raw.id, outcome }),
    (error: unknown) =>
      send({
        type: 'job-failed',
        id: raw.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
process.on('disconnect', () => process.exit(0));
