/**
 * The outbox: every send gets its clientMsgId when it is created and is emitted with that same id
 * until the server acknowledges it, across timeouts, reconnects, token changes and reloads (the
 * server answers a repeated clientMsgId with the first message, so retries never duplicate).
 * One send in flight per conversation keeps each conversation's sends in order.
 */
import type { MessageView } from '@parley/chat-core';
import { isParleyError, ParleyError } from '../errors/parley-error.js';
import { newClientMsgId, type OutboxEntry, type OutboxRecord, type SendInput } from './outbox-entry.js';
import type { OutboxStorage } from './outbox-storage.js';

/** What the outbox needs from the client around it. */
export interface OutboxDeps {
  storage: OutboxStorage;
  /** Emits one send and answers the stored message; throws a ParleyError when it did not land. */
  transmit(record: OutboxRecord): Promise<MessageView>;
  /** Whether a send may be tried now (connected). */
  canSend(): boolean;
  /** The conversation id of a send. */
  conversationIdOf(kind: 'private' | 'group', target: string): string;
  /** Hears every state change. */
  onChange(entry: OutboxEntry): void;
  /** Hears a storage failure (the send goes on in memory). */
  onStorageError(error: unknown): void;
  /** Wait before retry number `attempt` (1, 2 …) after a transient failure. */
  retryDelayMs(attempt: number): number;
}

/** The outbox of one client. */
export interface Outbox {
  /** Resolves once stored entries are loaded (they are then sent as soon as possible). */
  readonly ready: Promise<void>;
  /** Creates an entry (state `queued`), stores it and sends it as soon as its turn comes. */
  enqueue(input: SendInput): OutboxEntry;
  /** Every entry not yet read or discarded, in creation order. */
  entries(): OutboxEntry[];
  /** The entry with this clientMsgId. */
  get(clientMsgId: string): OutboxEntry | undefined;
  /** Entries of a conversation the server has not stored yet (queued, sending, failed). */
  pending(conversationId: string): OutboxEntry[];
  /** Sends a failed entry again, with the same clientMsgId. */
  retry(clientMsgId: string): void;
  /** Drops a failed or queued entry (a sending one may still land: it is dropped all the same). */
  discard(clientMsgId: string): Promise<void>;
  /** The connection is (back): send what waits, now. */
  kick(): void;
  /** A receipt arrived for one of our messages. */
  receipt(message: MessageView): void;
  /** Resolves when nothing is queued or sending (failed entries do not count). */
  idle(): Promise<void>;
  /** Stops every timer; resolves once every storage write has finished (entries stay stored). */
  close(): Promise<void>;
}

interface MutableEntry extends OutboxRecord {
  state: OutboxEntry['state'];
  attempts: number;
  message?: MessageView;
  error?: { code: string; message: string };
  saved: Promise<void>;
}

/** Codes after which the same send may succeed later. */
const TRANSIENT = new Set([
  'NETWORK',
  'TIMEOUT',
  'RATE_LIMITED',
  'STORE_UNAVAILABLE',
  'UNAUTHORIZED',
  'TOKEN_EXPIRED',
]);
/** INTERNAL is retried a few times (a server restarting mid-request), then final. */
const INTERNAL_RETRIES = 5;
const TRACKED_MAX = 1000;

function snapshot(entry: MutableEntry): OutboxEntry {
  const { saved: _saved, ...rest } = entry;
  return { ...rest };
}

function recordOf(entry: MutableEntry): OutboxRecord {
  const { state: _s, attempts: _a, message: _m, error: _e, saved: _saved, ...record } = entry;
  return record;
}

/** Creates an {@link Outbox}. */
export function createOutbox(deps: OutboxDeps): Outbox {
  const entries = new Map<string, MutableEntry>();
  const byMessageId = new Map<string, MutableEntry>();
  const busy = new Set<string>();
  const timers = new Map<string, { timer: ReturnType<typeof setTimeout>; rateLimited: boolean }>();
  const failures = new Map<string, number>();
  const idleWaiters: (() => void)[] = [];
  let lastOrder = 0;
  let closed = false;
  let writes: Promise<void> = Promise.resolve();

  /** Storage writes one at a time, in order; a failure is reported, never thrown at a send. */
  const write = (op: () => Promise<void>): Promise<void> => {
    writes = writes.then(op).catch((error: unknown) => deps.onStorageError(error));
    return writes;
  };

  const changed = (entry: MutableEntry) => {
    deps.onChange(snapshot(entry));
    if (idleWaiters.length > 0 && isIdle()) for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const isIdle = () => [...entries.values()].every((e) => e.state !== 'queued' && e.state !== 'sending');

  const ordered = () => [...entries.values()].sort((a, b) => a.order - b.order);

  const schedule = (conversationId: string, ms: number, rateLimited: boolean) => {
    const previous = timers.get(conversationId);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => {
      timers.delete(conversationId);
      pump(conversationId);
    }, ms);
    timers.set(conversationId, { timer, rateLimited });
  };

  const track = (entry: MutableEntry, message: MessageView) => {
    entry.message = message;
    byMessageId.set(message.id, entry);
    if (byMessageId.size > TRACKED_MAX) {
      const oldest = byMessageId.keys().next().value as string;
      const dropped = byMessageId.get(oldest);
      byMessageId.delete(oldest);
      if (dropped && dropped.state !== 'queued' && dropped.state !== 'sending')
        entries.delete(dropped.clientMsgId);
    }
  };

  const statusState = (message: MessageView): OutboxEntry['state'] =>
    message.status === 'read' ? 'read' : message.status === 'delivered' ? 'delivered' : 'sent';

  const pump = (conversationId: string): void => {
    if (closed || busy.has(conversationId) || timers.has(conversationId) || !deps.canSend()) return;
    const head = ordered().find((e) => e.conversationId === conversationId && e.state === 'queued');
    if (!head) return;
    busy.add(conversationId);
    head.state = 'sending';
    head.attempts += 1;
    changed(head);
    void (async () => {
      let retryIn: { ms: number; rateLimited: boolean } | null = null;
      try {
        await head.saved;
        const message = await deps.transmit(recordOf(head));
        failures.delete(conversationId);
        if (!entries.has(head.clientMsgId)) return; // discarded meanwhile
        head.state = statusState(message);
        delete head.error;
        track(head, message);
        head.saved = write(() => deps.storage.remove(head.clientMsgId));
        changed(head);
        if (head.state === 'read') entries.delete(head.clientMsgId);
      } catch (caught) {
        const error = isParleyError(caught)
          ? caught
          : new ParleyError({ code: 'NETWORK', message: String(caught), cause: caught });
        if (!entries.has(head.clientMsgId)) return;
        head.error = { code: error.code, message: error.message };
        const count = (failures.get(conversationId) ?? 0) + 1;
        failures.set(conversationId, count);
        const transient =
          TRANSIENT.has(error.code) || (error.code === 'INTERNAL' && head.attempts <= INTERNAL_RETRIES);
        if (!transient || closed) {
          head.state = closed && transient ? 'queued' : 'failed';
          if (head.state === 'failed') {
            head.failure = { code: error.code, message: error.message };
            const record = recordOf(head);
            head.saved = write(() => deps.storage.put(record));
          }
          failures.delete(conversationId);
        } else {
          head.state = 'queued';
          if (error.code === 'RATE_LIMITED') retryIn = { ms: error.retryAfterMs ?? 1000, rateLimited: true };
          else retryIn = { ms: deps.retryDelayMs(count), rateLimited: false };
        }
        changed(head);
      } finally {
        busy.delete(conversationId);
        if (retryIn && !closed) schedule(conversationId, retryIn.ms, retryIn.rateLimited);
        else pump(conversationId);
      }
    })();
  };

  const pumpAll = () => {
    for (const conversationId of new Set(ordered().map((e) => e.conversationId))) pump(conversationId);
  };

  const ready = (async () => {
    let stored: OutboxRecord[] = [];
    try {
      stored = await deps.storage.load();
    } catch (error) {
      deps.onStorageError(error);
    }
    for (const record of stored) {
      if (entries.has(record.clientMsgId)) continue;
      lastOrder = Math.max(lastOrder, record.order);
      entries.set(record.clientMsgId, {
        ...record,
        state: record.failure ? 'failed' : 'queued',
        attempts: 0,
        ...(record.failure && { error: record.failure }),
        saved: Promise.resolve(),
      });
    }
  })();
  let loaded = false;
  void ready.then(() => {
    loaded = true;
    for (const entry of ordered()) changed(entry);
    pumpAll();
  });

  return {
    ready,
    enqueue(input) {
      if (closed) throw new ParleyError({ code: 'CLOSED', message: 'the client is closed' });
      if (typeof input.content !== 'string') throw new TypeError('content must be a string');
      const kind = 'groupId' in input ? 'group' : 'private';
      const target = 'groupId' in input ? input.groupId : input.to;
      lastOrder = Math.max(lastOrder + 1, Date.now());
      const clientMsgId = input.clientMsgId ?? newClientMsgId();
      const existing = entries.get(clientMsgId);
      if (existing) return snapshot(existing);
      const entry: MutableEntry = {
        clientMsgId,
        conversationId: deps.conversationIdOf(kind, target),
        kind,
        target,
        content: input.content,
        ...(input.contentType !== undefined && { contentType: input.contentType }),
        ...(input.replyTo !== undefined && { replyTo: input.replyTo }),
        ...('groupId' in input && input.mentions !== undefined && { mentions: input.mentions }),
        ...('groupId' in input && input.mentionAll !== undefined && { mentionAll: input.mentionAll }),
        createdAt: new Date().toISOString(),
        order: lastOrder,
        state: 'queued',
        attempts: 0,
        saved: Promise.resolve(),
      };
      entries.set(clientMsgId, entry);
      const record = recordOf(entry);
      entry.saved = write(() => deps.storage.put(record));
      changed(entry);
      if (loaded) pump(entry.conversationId);
      return snapshot(entry);
    },
    entries: () => ordered().map(snapshot),
    get: (clientMsgId) => {
      const entry = entries.get(clientMsgId);
      return entry && snapshot(entry);
    },
    pending: (conversationId) =>
      ordered()
        .filter(
          (e) =>
            e.conversationId === conversationId &&
            (e.state === 'queued' || e.state === 'sending' || e.state === 'failed'),
        )
        .map(snapshot),
    retry(clientMsgId) {
      const entry = entries.get(clientMsgId);
      if (entry?.state !== 'failed') return;
      entry.state = 'queued';
      delete entry.failure;
      const record = recordOf(entry);
      entry.saved = write(() => deps.storage.put(record));
      changed(entry);
      pump(entry.conversationId);
    },
    async discard(clientMsgId) {
      const entry = entries.get(clientMsgId);
      if (!entry) return;
      entries.delete(clientMsgId);
      if (entry.message) byMessageId.delete(entry.message.id);
      await write(() => deps.storage.remove(clientMsgId));
      if (idleWaiters.length > 0 && isIdle()) for (const resolve of idleWaiters.splice(0)) resolve();
      pump(entry.conversationId);
    },
    kick() {
      for (const [conversationId, pending] of timers) {
        if (pending.rateLimited) continue;
        clearTimeout(pending.timer);
        timers.delete(conversationId);
      }
      if (loaded) pumpAll();
    },
    receipt(message) {
      const entry = byMessageId.get(message.id);
      if (!entry || !message.status) return;
      const next = statusState(message);
      const rank = { sent: 0, delivered: 1, read: 2 } as const;
      const current =
        entry.state === 'sent' || entry.state === 'delivered' || entry.state === 'read' ? entry.state : null;
      if (!current || next === 'queued' || rank[next as keyof typeof rank] <= rank[current]) return;
      entry.state = next;
      entry.message = message;
      changed(entry);
      if (next === 'read') {
        entries.delete(entry.clientMsgId);
        byMessageId.delete(message.id);
      }
    },
    idle() {
      if (isIdle()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      for (const { timer } of timers.values()) clearTimeout(timer);
      timers.clear();
      await writes;
    },
  };
}
