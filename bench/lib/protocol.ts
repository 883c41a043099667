/**
 * Messages on the IPC channels: orchestrator ↔ load driver (jobs and their results) and
 * orchestrator ↔ server probe (CPU and memory of the server process, measured inside it).
 */
import type { LatencySummary } from './stats.js';

/** How a load client speaks to a server: raw `ws` JSON frames (L1) or the Socket.IO v5 wire (L2, L3). */
export type WireKind = 'ws' | 'sio';

/** One simulated user connection. `token` is what the server authenticates at the handshake. */
export interface ClientSpec {
  userId: string;
  token: string;
  /** L2 only: the group rooms this socket joins (Parley joins members' rooms by itself). */
  groups?: string[];
}

/** CPU time of a process so far, in microseconds (user + system, every thread). */
export interface CpuSnapshot {
  user: number;
  system: number;
}

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** Orchestrator → probe. */
export type ProbeRequest =
  | { probe: 'stats'; id: number; gc: boolean }
  | { probe: 'profile'; id: number; action: 'start' | 'stop'; file: string }
  | { probe: 'exit' };
/** Probe → orchestrator. */
export interface ProbeReply {
  probe: 'stats';
  id: number;
  cpu: CpuSnapshot;
  memory: MemorySnapshot;
}

/** A 1:1 pair: indexes into the connected clients. */
export type Pair = [sender: number, receiver: number];

export type Job =
  | {
      kind: 'connect';
      set: string;
      url: string;
      wire: WireKind;
      clients: ClientSpec[];
      concurrency: number;
      timeoutMs: number;
    }
  | { kind: 'close'; set: string }
  | { kind: 'smoke'; url: string; clients: [ClientSpec, ClientSpec]; timeoutMs: number }
  | {
      kind: 'pm-throughput';
      /** The client set (one per server); its server's CPU is read around the window. */
      set: string;
      pairs: Pair[];
      window: number;
      warmupMs: number;
      durationMs: number;
      content: string;
    }
  | {
      kind: 'pm-open-loop';
      /** The client set (one per server); its server's CPU is read around the window. */
      set: string;
      pairs: Pair[];
      rate: number;
      warmupMs: number;
      durationMs: number;
      drainMs: number;
      content: string;
    }
  | {
      kind: 'group-throughput';
      /** The client set (one per server); its server's CPU is read around the window. */
      set: string;
      sender: number;
      groupId: string;
      receivers: number;
      window: number;
      warmupMs: number;
      durationMs: number;
      content: string;
    }
  | {
      kind: 'login';
      /** The client set (one per server); its server's CPU is read around the window. */
      set: string;
      baseUrl: string;
      credentials: { email: string; password: string }[];
      concurrency: number;
      warmupMs: number;
      durationMs: number;
    };

/** Sent by the driver around a measured window; the orchestrator answers with the server's CPU. */
export interface MarkRequest {
  type: 'mark';
  id: number;
  set: string;
}
export interface MarkReply {
  type: 'mark-reply';
  id: number;
  cpu: CpuSnapshot | null;
}

export interface ThroughputResult {
  /** Measured window, ms. */
  windowMs: number;
  /** Deliveries received by clients inside the window. */
  delivered: number;
  /** Server acks received inside the window. */
  acked: number;
  /** `message_delivered` receipts senders got inside the window (Parley only). */
  receipts: number;
  /** Server CPU spent inside the window, µs (null when the server could not be probed). */
  serverCpuUs: number | null;
  errors: number;
  errorSample: string | null;
  /** Answers RATE_LIMITED during the job (warm-up and drain included). */
  refused: number;
  /** Messages sent over the whole job (warm-up and drain included). */
  sentTotal: number;
  /** Messages neither acknowledged-and-delivered by the end of the drain. */
  unfinished: number;
}

export interface OpenLoopResult {
  rate: number;
  sent: number;
  delivered: number;
  /** Never delivered within the drain: counted in the percentiles at the drain deadline. */
  lost: number;
  errors: number;
  errorSample: string | null;
  /** Answers RATE_LIMITED during the job. */
  refused: number;
  latency: LatencySummary;
  /** How late the driver itself sent, vs the schedule (a busy driver shows here). */
  sendLag: LatencySummary;
  /** Server CPU from the first measured send to the last, µs (null when not probed). */
  serverCpuUs: number | null;
}

export interface LoginResult {
  windowMs: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  latency: LatencySummary;
  serverCpuUs: number | null;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  errorSample: string | null;
  ms: number;
}

export interface SmokeResult {
  ok: boolean;
  detail: string;
}

export type JobResult =
  | { kind: 'connect'; result: ConnectResult }
  | { kind: 'close'; result: { closed: number } }
  | { kind: 'smoke'; result: SmokeResult }
  | { kind: 'pm-throughput'; result: ThroughputResult }
  | { kind: 'group-throughput'; result: ThroughputResult }
  | { kind: 'pm-open-loop'; result: OpenLoopResult }
  | { kind: 'login'; result: LoginResult };

/** Orchestrator → driver. */
export interface JobRequest {
  type: 'job';
  id: number;
  job: Job;
}
/** Driver → orchestrator. */
export type JobReply =
  | { type: 'job-done'; id: number; outcome: JobResult }
  | { type: 'job-failed'; id: number; error: string };

export type DriverMessage = MarkRequest | JobReply;
export type DriverInbound = JobRequest | MarkReply;
