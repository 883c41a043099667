/**
 * `attachSocketIO`: puts a chat engine on a Socket.IO server. The engine decides who hears what;
 * this module authenticates sockets, keeps their rooms in step with group membership, turns client
 * events into engine calls, and routes engine events to rooms.
 */
import {
  type Audience,
  CHAT_EVENT_NAMES,
  type ChatEngine,
  ChatError,
  type ChatEventName,
  type ControlEventListeners,
  isClientEventName,
  type Logger,
  type MessageView,
  silentLogger,
  toChatError,
} from '@parley/chat-core';
import type { Server } from 'socket.io';
import { Adapter as InMemoryAdapter, type Session as RecoveredSession } from 'socket.io-adapter';
import { authMiddleware, type HandshakeResult } from './handshake.js';
import { GROUP_ROOM_PREFIX, groupRoom, userRoom } from './rooms.js';
import type { Ack, AckResponse, ParleyServer, ParleySocket, SocketData } from './types.js';
import { batchSocketWrites, type EngineServerLike } from './write-batching.js';

/** Options of {@link attachSocketIO}. */
export interface AttachSocketIOOptions {
  /** @default silentLogger */
  logger?: Logger;
  /**
   * Most admitted events one socket may have waiting at once. Events are first charged to the
   * user's budget (the engine's `eventRateLimit`), and one over budget is answered RATE_LIMITED
   * at once without waiting, so this only bounds a client outrunning a slow store.
   * @default 1000
   */
  maxQueuedEvents?: number;
  /**
   * Behind a cluster adapter, how long the receiver's devices have to acknowledge a
   * `new_private_message` before the server stops waiting for a receipt. On Socket.IO's own
   * adapter no timer runs: each device's ack is awaited while its socket is open.
   * @default 10000
   */
  deliveryAckTimeoutMs?: number;
  /**
   * Called once for every client frame answered, with the time from its receipt to its answer
   * (ack or `chat_error`), e.g. to feed a latency histogram. `event` is the contract's event name,
   * or `'unknown'` for a name outside it (so a label set stays bounded); `outcome` is `'ok'` or
   * the error code answered (`RATE_LIMITED`, `VALIDATION_FAILED` …). It must not throw (what it
   * throws is logged and dropped) and should be cheap: it runs on every event. When unset, no
   * clock is read.
   * @default undefined
   */
  onEvent?: ((event: string, durationMs: number, outcome: string) => void) | undefined;
  /**
   * Writes the frames Engine.IO has queued for a WebSocket in one system call (`writev`) instead
   * of one per frame: the same frames in the same order, sent no later. Turn off only to compare
   * (see write-batching.ts and BENCHMARKS.md).
   * @default true
   */
  batchWrites?: boolean;
}

/** A running attachment. */
export interface SocketTransport {
  /** Disconnects this attachment's sockets and unsubscribes from the engine; safe to call twice. */
  close(): Promise<void>;
}

/** Default wait for a delivery receipt behind a cluster adapter. */
export const DEFAULT_DELIVERY_ACK_TIMEOUT_MS = 10_000;

/** Default bound of a socket's queue of admitted events. */
export const MAX_QUEUED_EVENTS = 1000;

/**
 * Most receipts one socket may owe at once. A client whose handler never acks would otherwise
 * make the server keep an ack callback per message for as long as it stays connected; past this,
 * messages reach it without an ack callback (a later ack still marks everything before it
 * delivered, since delivery moves a cursor).
 */
export const MAX_PENDING_RECEIPTS = 256;

// setTimeout holds at most a signed 32-bit delay; longer token lifetimes re-arm the timer.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Untyped views used where an event name is only known at run time. */
type UntypedEmitter = {
  on(event: string, listener: (...args: never[]) => void): void;
  off(event: string, listener: (...args: never[]) => void): void;
};
type UntypedBroadcast = { emit(event: string, ...args: unknown[]): boolean };
/** Reports one answered frame to an `onEvent` hook; a hook that throws is logged, never rethrown. */
function report(
  hook: NonNullable<AttachSocketIOOptions['onEvent']>,
  event: unknown,
  started: number,
  response: AckResponse<unknown>,
  logger: Logger,
): void {
  try {
    hook(
      isClientEventName(event) ? event : 'unknown',
      performance.now() - started,
      response.ok ? 'ok' : response.error.code,
    );
  } catch (error) {
    logger.error({ err: error }, 'onEvent hook failed');
  }
}

const admittedNow = () => true;

/** A client frame admitted to its socket's queue. */
interface QueuedEvent {
  event: unknown;
  payload: unknown;
  ack: Ack<unknown> | undefined;
  started: number;
  admitted: Promise<boolean>;
}

/**
 * What this attachment keeps per socket it opened, and the socket's side of the dispatcher
 * (`DispatchConnection`): methods on the prototype rather than closures per socket, and the event
 * queue made at the socket's first frame, so an idle socket holds one small object.
 */
class LiveSocket {
  readonly connectionId: string;
  readonly ip: string;
  /** When the expiry heap next looks at this socket (epoch ms), and its place there (-1: none). */
  due = 0;
  heapIndex = -1;
  /** Receipts asked of the socket and not acknowledged yet (see {@link MAX_PENDING_RECEIPTS}). */
  owedReceipts = 0;
  /** Admitted frames not answered yet; `waiting` is made at the first frame. */
  queued = 0;
  draining = false;
  waiting: QueuedEvent[] | null = null;

  constructor(
    readonly socket: ParleySocket,
    readonly userId: string,
  ) {
    this.connectionId = socket.id;
    this.ip = socket.handshake.address;
  }

  isOpen(): boolean {
    return this.socket.connected;
  }

  joinGroup(groupId: string): Promise<void> | void {
    return this.socket.join(groupRoom(groupId));
  }
}

/**
 * The sockets' token expiries in one binary min-heap on `due`, served by one timer, instead of a
 * timer (and a timer list per distinct delay) per socket.
 */
class ExpiryHeap {
  private readonly items: LiveSocket[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): LiveSocket | undefined {
    return this.items[0];
  }

  push(item: LiveSocket): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): LiveSocket | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(item: LiveSocket): void {
    const index = item.heapIndex;
    if (index < 0) return;
    item.heapIndex = -1;
    const last = this.items.pop() as LiveSocket;
    if (index === this.items.length) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.down(index);
    this.up(last.heapIndex);
  }

  clear(): void {
    for (const item of this.items) item.heapIndex = -1;
    this.items.length = 0;
  }

  private up(index: number): void {
    const items = this.items;
    const item = items[index] as LiveSocket;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as LiveSocket;
      if (parent.due <= item.due) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  private down(index: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[index] as LiveSocket;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (items[right] as LiveSocket).due < (items[child] as LiveSocket).due) child = right;
      const smaller = items[child] as LiveSocket;
      if (smaller.due >= item.due) break;
      items[index] = smaller;
      smaller.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}

type ReceiptEmitter = {
  emit(event: 'new_private_message', message: MessageView, done: (...args: unknown[]) => void): boolean;
};

/**
 * Socket.IO writes a recovered session's missed packets while it builds the socket, before any
 * middleware runs. So recovery is refused (the client then connects afresh through the handshake
 * and syncs by seq) when the session's token no longer authenticates, or when the user has left
 * a group whose room the session held: otherwise a revoked device, or a member kicked while away,
 * would be handed what was broadcast meanwhile. Recovery stays what it is meant to be, a speed-up.
 */
function guardRecovery(server: ParleyServer, engine: ChatEngine, logger: Logger): void {
  const adapter = server.of('/').adapter as unknown as {
    restoreSession?: (pid: string, offset: string) => Promise<RecoveredSession | null>;
  };
  const restore = adapter.restoreSession?.bind(adapter);
  if (restore === undefined) return;
  const stillEntitled = async (session: RecoveredSession): Promise<boolean> => {
    const data = session.data as Partial<SocketData> | undefined;
    if (typeof data?.token !== 'string' || typeof data.userId !== 'string') return false;
    try {
      await engine.auth.authenticate(data.token);
      const groups = new Set((await engine.groups.listMyGroupIds(data.userId)).map(groupRoom));
      return [...session.rooms].every((room) => !room.startsWith(GROUP_ROOM_PREFIX) || groups.has(room));
    } catch (error) {
      logger.debug({ err: error, userId: data.userId }, 'session recovery refused');
      return false;
    }
  };
  adapter.restoreSession = async (pid, offset) => {
    const session = await restore(pid, offset);
    return session !== null && session !== undefined && (await stillEntitled(session)) ? session : null;
  };
}

/**
 * Attaches the engine to a Socket.IO server: installs the handshake middleware, handles every
 * client event of the contract, and routes every engine event to its audience's rooms.
 *
 * ```ts
 * const io = new Server(httpServer, socketServerOptions());
 * const transport = attachSocketIO(io, engine, { logger });
 * // on shutdown
 * await transport.close();
 * ```
 */
export function attachSocketIO(
  io: Server | ParleyServer,
  engine: ChatEngine,
  options: AttachSocketIOOptions = {},
): SocketTransport {
  const server = io as ParleyServer;
  const logger = options.logger ?? silentLogger;
  const ackTimeoutMs = options.deliveryAckTimeoutMs ?? DEFAULT_DELIVERY_ACK_TIMEOUT_MS;
  const maxQueued = Math.max(1, options.maxQueuedEvents ?? MAX_QUEUED_EVENTS);
  const { dispatcher } = engine;
  const onEvent = options.onEvent;

  const handshakes = new WeakMap<ParleySocket, HandshakeResult>();
  // Local bookkeeping only (which sockets this attachment opened, their expiry timers, receipts
  // they owe); shared state such as presence and rate budgets lives behind the engine's ports.
  const live = new Map<ParleySocket, LiveSocket>();
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  // Deliveries being recorded, counted rather than tracked one by one: one per message, and
  // `dispatcher.received` never rejects. `close()` waits for the count to reach zero.
  let receiptsInFlight = 0;
  let receiptsSettled: (() => void) | null = null;
  const receiptDone = () => {
    receiptsInFlight -= 1;
    if (receiptsInFlight === 0 && receiptsSettled !== null) receiptsSettled();
  };
  const recordDelivery = (receiverId: string, messageId: string) => {
    receiptsInFlight += 1;
    dispatcher.received(receiverId, messageId).then(receiptDone, receiptDone);
  };

  const track = (work: Promise<unknown>, what: string, context: object) => {
    const guarded = work.catch((error: unknown) => logger.error({ ...context, err: error }, what));
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
  };

  server.use(authMiddleware(engine, logger, handshakes, () => closed));
  // A socket's frames queued in one turn leave in one write (see write-batching.ts). The Engine.IO
  // server exists once the Socket.IO server is attached to an HTTP server, which an embedder may
  // do after attaching Parley: then batching starts with the first connection.
  let stopBatching: (() => void) | null = null;
  const startBatching = () => {
    if (stopBatching !== null || options.batchWrites === false) return;
    const engineServer = (server as unknown as { engine?: EngineServerLike }).engine;
    if (engineServer !== undefined) stopBatching = batchSocketWrites(engineServer);
  };
  startBatching();
  guardRecovery(server, engine, logger);

  /** Sends an answer: to the ack when the client gave one, else as `chat_error` to the socket. */
  const answer = (
    socket: ParleySocket,
    event: unknown,
    ack: Ack<unknown> | undefined,
    response: AckResponse<unknown>,
  ) => {
    try {
      if (ack) ack(response);
      else if (!response.ok) {
        const { code, message } = response.error;
        socket.emit('chat_error', {
          event: typeof event === 'string' ? event : String(event),
          code,
          message,
        });
      }
    } catch (error) {
      logger.error({ err: error, socketId: socket.id }, 'socket event answer failed');
    }
  };

  const refusal = (error: unknown): AckResponse<unknown> => {
    const chatError = toChatError(error);
    return {
      ok: false,
      error: (chatError.code === 'INTERNAL' ? new ChatError('INTERNAL') : chatError).toJSON(),
    };
  };

  // Events of one socket run one after another, so messages sent in order commit in order. A
  // plain FIFO drained by one loop while it has work: no promise chained per frame.
  const drain = async (state: LiveSocket, waiting: QueuedEvent[]) => {
    const { socket, userId } = state;
    state.draining = true;
    try {
      for (let item = waiting.shift(); item !== undefined; item = waiting.shift()) {
        if (!(await item.admitted)) continue;
        try {
          const response = await dispatcher.handle(userId, item.event, item.payload, state, {
            admitted: true,
            logger,
          });
          answer(socket, item.event, item.ack, response);
          if (onEvent !== undefined) report(onEvent, item.event, item.started, response, logger);
        } finally {
          state.queued -= 1;
        }
      }
    } finally {
      state.draining = false;
    }
  };

  // Every frame of every socket, known event or not (the dispatcher answers unknown names): one
  // listener shared by all sockets, Socket.IO calls it with the socket as `this`.
  function onFrame(this: ParleySocket, event: unknown, ...args: unknown[]): void {
    const state = live.get(this);
    if (state === undefined) return;
    const { socket } = state;
    const started = onEvent === undefined ? 0 : performance.now();
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as Ack<unknown>) : undefined;
    const payload = args[0];
    if (state.queued >= maxQueued) {
      const response = refusal(
        new ChatError('RATE_LIMITED', 'Too many events waiting, slow down', {
          details: { retryAfterMs: 1000, retryAfterSeconds: 1 },
        }),
      );
      answer(socket, event, ack, response);
      if (onEvent !== undefined) report(onEvent, event, started, response, logger);
      return;
    }
    state.queued += 1;
    // Charged on arrival: an event over budget is answered now, never after the queue ahead of it.
    const admitted = dispatcher.admit(state.userId).then(admittedNow, (error: unknown) => {
      state.queued -= 1;
      const response = refusal(error);
      answer(socket, event, ack, response);
      if (onEvent !== undefined) report(onEvent, event, started, response, logger);
      return false;
    });
    state.waiting ??= [];
    state.waiting.push({ event, payload, ack, started, admitted });
    if (!state.draining) void drain(state, state.waiting);
  }

  // A malformed frame from a client is the client's problem: one short line, no stack trace.
  function onSocketError(this: ParleySocket, error: Error): void {
    logger.debug({ userId: this.data.userId, socketId: this.id, reason: error.message }, 'socket error');
  }

  // --- token expiry: one timer for every socket ------------------------------------------------

  const expiries = new ExpiryHeap();
  let expiryTimer: NodeJS.Timeout | undefined;
  let expiryTimerDue = Number.POSITIVE_INFINITY;

  const armExpiryTimer = () => {
    const next = expiries.peek();
    if (next === undefined || next.due >= expiryTimerDue) return;
    clearTimeout(expiryTimer);
    expiryTimerDue = next.due;
    expiryTimer = setTimeout(expire, Math.max(next.due - Date.now(), 0));
    expiryTimer.unref();
  };

  const scheduleExpiry = (state: LiveSocket) => {
    const now = Date.now();
    state.due = now + Math.min(Math.max(state.socket.data.exp - now, 0), MAX_TIMER_MS);
    expiries.push(state);
    armExpiryTimer();
  };

  function expire(): void {
    expiryTimer = undefined;
    expiryTimerDue = Number.POSITIVE_INFINITY;
    try {
      for (let next = expiries.peek(); next !== undefined && next.due <= Date.now(); next = expiries.peek()) {
        expiries.pop();
        const { socket } = next;
        if (live.get(socket) !== next) continue;
        if (socket.data.exp > Date.now()) {
          scheduleExpiry(next);
          continue;
        }
        socket.emit('chat_error', {
          event: 'connection',
          code: 'TOKEN_EXPIRED',
          message: 'The token has expired',
        });
        socket.disconnect(true);
      }
    } finally {
      if (!closed) armExpiryTimer();
    }
  }

  function onDisconnect(this: ParleySocket): void {
    const state = live.get(this);
    if (state === undefined) return;
    expiries.remove(state);
    live.delete(this);
    const { userId } = state;
    track(engine.presence.disconnected(userId, this.id), 'presence disconnect failed', {
      userId,
      socketId: this.id,
    });
  }

  const onConnection = (socket: ParleySocket) => {
    // A recovered socket skipping the middleware (skipMiddlewares: true) keeps its old data; one
    // without any is refused rather than put into `user:undefined`.
    if (closed || typeof socket.data?.userId !== 'string') {
      socket.disconnect(true);
      return;
    }
    startBatching();
    const { userId } = socket.data;
    const state = new LiveSocket(socket, userId);
    live.set(socket, state);
    socket.on('error', onSocketError);
    socket.onAny(onFrame);

    const handshake = handshakes.get(socket);
    handshakes.delete(socket);
    const groupIds = handshake?.groupIds ?? [];
    const rooms = [userRoom(userId)];
    for (const id of groupIds) rooms.push(groupRoom(id));
    // A cluster adapter answers joins with a promise; a rejected one must be logged, not left to
    // crash the process as an unhandled rejection.
    if (handshake) {
      // A recovered socket comes back with the rooms it had; membership may have changed since.
      for (const room of socket.rooms)
        if (room !== socket.id && !rooms.includes(room)) {
          const left = socket.leave(room);
          if (left) track(left, 'leaving rooms failed', { userId, socketId: socket.id });
        }
    }
    const joined = socket.join(rooms.length === 1 ? (rooms[0] as string) : rooms);
    if (joined) track(joined, 'joining rooms failed', { userId, socketId: socket.id });

    scheduleExpiry(state);
    track(engine.presence.connected(userId, socket.id), 'presence connect failed', {
      userId,
      socketId: socket.id,
    });

    socket.on('disconnect', onDisconnect);
  };
  server.on('connection', onConnection);

  // --- engine events → rooms -------------------------------------------------------------------

  // With Socket.IO's own single-node adapter the local room table is the whole truth, so a
  // broadcast that would reach nobody (the sender's "other devices" when it has one, an offline
  // receiver) can be skipped before it is encoded, and receipts can be asked of each local socket.
  // A cluster adapter (or the session-aware one of recovery) keeps every broadcast. The adapter is
  // looked up at each broadcast, so one set after attaching is used too.
  const localAdapter = () => {
    const adapter = server.of('/').adapter;
    return Object.getPrototypeOf(adapter) === InMemoryAdapter.prototype ? adapter : null;
  };
  const reachesAnyone = (
    adapter: InMemoryAdapter,
    rooms: readonly string[],
    except: string | undefined,
  ): boolean => {
    for (const room of rooms) {
      const members = adapter.rooms.get(room);
      if (members === undefined) continue;
      if (members.size > 1 || (members.size === 1 && (except === undefined || !members.has(except))))
        return true;
    }
    return false;
  };

  const broadcast = (name: ChatEventName, payload: unknown, rooms: string[], except: string | undefined) => {
    if (rooms.length === 0) return; // `io.to([])` would mean everyone
    const adapter = localAdapter();
    if (adapter !== null) {
      if (!reachesAnyone(adapter, rooms, except)) return;
      // One room of one socket (a receipt to its sender, a user's only device): the socket's own
      // emit writes the same packet without building a broadcast (its room sets, its encoder pass).
      const only = rooms.length === 1 ? adapter.rooms.get(rooms[0] as string) : undefined;
      if (only !== undefined && only.size === 1) {
        const [id] = only;
        const socket = id === undefined || id === except ? undefined : server.of('/').sockets.get(id);
        if (socket !== undefined) {
          (socket as unknown as UntypedBroadcast).emit(name, payload);
          return;
        }
      }
    }
    const target = except === undefined ? server.to(rooms) : server.to(rooms).except(except);
    (target as unknown as UntypedBroadcast).emit(name, payload);
  };

  /**
   * The receiver's devices get the message with an ack callback; the first device to call it
   * marks the message delivered. Locally each socket is asked on its own, with no timer: an ack
   * is awaited while the socket is open (bounded by {@link MAX_PENDING_RECEIPTS}), and nothing is
   * left to keep the process alive after `close()`. Behind a cluster adapter the broadcast is one
   * emit with a timeout, as Socket.IO's cluster acks require.
   */
  const sendWithReceipt = (message: MessageView, receiverId: string, except: string | undefined) => {
    const room = userRoom(receiverId);
    const adapter = localAdapter();
    if (adapter === null) {
      const target = except === undefined ? server.to(room) : server.to(room).except(except);
      const withAck = target.timeout(ackTimeoutMs) as unknown as ReceiptEmitter;
      withAck.emit('new_private_message', message, (_timeout: unknown, receipts: unknown) => {
        if (Array.isArray(receipts) && receipts.length > 0) recordDelivery(receiverId, message.id);
      });
      return;
    }
    const ids = adapter.rooms.get(room);
    if (ids === undefined) return; // offline: the receiver syncs by seq later
    const sockets = server.of('/').sockets;
    // Shared by the receiver's devices: the first ack records the delivery.
    const receipt = { delivered: false };
    for (const id of ids) {
      if (id === except) continue;
      const socket = sockets.get(id);
      if (socket === undefined) continue;
      const state = live.get(socket);
      if (state !== undefined && state.owedReceipts >= MAX_PENDING_RECEIPTS) {
        socket.emit('new_private_message', message);
        continue;
      }
      if (state !== undefined) state.owedReceipts += 1;
      (socket as unknown as ReceiptEmitter).emit('new_private_message', message, () => {
        if (state !== undefined && state.owedReceipts > 0) state.owedReceipts -= 1;
        if (receipt.delivered) return;
        receipt.delivered = true;
        recordDelivery(receiverId, message.id);
      });
    }
  };

  const route = (name: ChatEventName) => (payload: unknown, audience: Audience) => {
    const except = audience.exceptConnection;
    let receiverId: string | undefined;
    if (name === 'new_private_message') {
      const message = payload as MessageView;
      if (message.receiverId !== undefined && audience.users?.includes(message.receiverId)) {
        receiverId = message.receiverId;
        sendWithReceipt(message, receiverId, except);
      }
    }
    const rooms: string[] = [];
    for (const id of audience.users ?? []) if (id !== receiverId) rooms.push(userRoom(id));
    for (const id of audience.groups ?? []) rooms.push(groupRoom(id));
    broadcast(name, payload, rooms, except);
  };

  const chatListeners = CHAT_EVENT_NAMES.map((name) => [name, route(name)] as const);
  for (const [name, listener] of chatListeners)
    (engine.events as unknown as UntypedEmitter).on(name, listener);

  // --- control events → rooms and disconnections -----------------------------------------------

  const control: ControlEventListeners = {
    session_revoked: ({ userId, jti }) => {
      const room = userRoom(userId);
      const notice = { event: 'connection', code: 'UNAUTHORIZED', message: 'The session has ended' };
      if (jti === undefined) {
        server.in(room).emit('chat_error', notice);
        server.in(room).disconnectSockets(true);
        return;
      }
      // fetchSockets also reaches the sockets of other nodes behind a cluster adapter.
      track(
        server
          .in(room)
          .fetchSockets()
          .then((sockets) => {
            for (const socket of sockets) {
              if (socket.data.jti !== jti) continue;
              socket.emit('chat_error', notice);
              socket.disconnect(true);
            }
          }),
        'session revocation failed',
        { userId },
      );
    },
    membership_added: ({ userId, groupId }) => server.in(userRoom(userId)).socketsJoin(groupRoom(groupId)),
    membership_removed: ({ userId, groupId }) => server.in(userRoom(userId)).socketsLeave(groupRoom(groupId)),
  };
  const controlListeners = Object.entries(control) as [string, (...args: never[]) => void][];
  for (const [name, listener] of controlListeners)
    (engine.control as unknown as UntypedEmitter).on(name, listener);

  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= (async () => {
        closed = true;
        for (const [name, listener] of chatListeners)
          (engine.events as unknown as UntypedEmitter).off(name, listener);
        for (const [name, listener] of controlListeners) {
          (engine.control as unknown as UntypedEmitter).off(name, listener);
        }
        server.off('connection', onConnection);
        stopBatching?.();
        stopBatching = null;
        clearTimeout(expiryTimer);
        expiryTimer = undefined;
        expiries.clear();
        for (const socket of [...live.keys()]) socket.disconnect(true);
        live.clear();
        const receipts =
          receiptsInFlight === 0
            ? undefined
            : new Promise<void>((resolve) => {
                receiptsSettled = resolve;
              });
        await Promise.allSettled([...pending, receipts]);
      })();
      return closing;
    },
  };
}
