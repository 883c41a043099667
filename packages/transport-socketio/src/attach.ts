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
  type ChatErrorBody,
  type ChatEventName,
  type ControlEventListeners,
  type Logger,
  type MessageView,
  memoryRateLimiter,
  type RateDecision,
  type RateLimiter,
  type RateRule,
  silentLogger,
  toChatError,
} from '@parley/chat-core';
import type { Server } from 'socket.io';
import { Adapter as InMemoryAdapter, type Session as RecoveredSession } from 'socket.io-adapter';
import { authMiddleware, type HandshakeResult } from './handshake.js';
import { GROUP_ROOM_PREFIX, groupRoom, userRoom } from './rooms.js';
import { type ClientPayload, parsePayload } from './schemas.js';
import type { Ack, AckResponse, ClientEventName, ParleyServer, ParleySocket, SocketData } from './types.js';

/** Options of {@link attachSocketIO}. */
export interface AttachSocketIOOptions {
  /** Per-socket budget of client events. @default { points: 30, windowMs: 1000 } */
  eventRateLimit?: RateRule;
  /**
   * Where the per-socket budgets are counted (key `socket:<socket id>`); pass a shared one when
   * several nodes serve the same users. @default the engine's own rate limiter
   */
  rateLimiter?: RateLimiter;
  /** @default silentLogger */
  logger?: Logger;
  /**
   * How long the receiver's devices have to acknowledge a `new_private_message` before the
   * server stops waiting for a receipt. @default 10000
   */
  deliveryAckTimeoutMs?: number;
}

/** A running attachment. */
export interface SocketTransport {
  /** Disconnects this attachment's sockets and unsubscribes from the engine; safe to call twice. */
  close(): Promise<void>;
}

/** Default per-socket budget of client events. */
export const DEFAULT_EVENT_RATE_LIMIT: RateRule = { points: 30, windowMs: 1000 };

/** Default wait for a delivery receipt. */
export const DEFAULT_DELIVERY_ACK_TIMEOUT_MS = 10_000;

/**
 * Most events one socket may have waiting at once (capped by the event budget). Past it an event
 * is refused with RATE_LIMITED on arrival: a client outrunning a slow store must not make the
 * server hold an ever longer queue of payloads.
 */
export const MAX_QUEUED_EVENTS = 100;

// setTimeout holds at most a signed 32-bit delay; longer token lifetimes re-arm the timer.
const MAX_TIMER_MS = 2 ** 31 - 1;

const CLIENT_EVENT_NAMES: readonly ClientEventName[] = [
  'private_message',
  'group_message',
  'message_status_update',
  'typing_status',
  'join_group_room',
  'recall_message',
  'sync',
];

type Handler<K extends ClientEventName> = (
  socket: ParleySocket,
  payload: ClientPayload<K>,
) => Promise<unknown>;

/** Untyped views used where an event name is only known at run time. */
type UntypedOn = { on(event: string, listener: (...args: unknown[]) => void): void };
type UntypedEmitter = {
  on(event: string, listener: (...args: never[]) => void): void;
  off(event: string, listener: (...args: never[]) => void): void;
};
type UntypedBroadcast = { emit(event: string, ...args: unknown[]): boolean };
type ReceiptBroadcast = {
  emit(
    event: 'new_private_message',
    message: MessageView,
    done: (timeout: Error | null, receipts: unknown[]) => void,
  ): boolean;
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
  const rateLimiter = options.rateLimiter ?? engine.rateLimiter ?? memoryRateLimiter();
  const eventRule = options.eventRateLimit ?? DEFAULT_EVENT_RATE_LIMIT;
  const ackTimeoutMs = options.deliveryAckTimeoutMs ?? DEFAULT_DELIVERY_ACK_TIMEOUT_MS;
  const maxQueued = Math.max(1, Math.min(eventRule.points, MAX_QUEUED_EVENTS));

  const handshakes = new WeakMap<ParleySocket, HandshakeResult>();
  // Local bookkeeping only (which sockets this attachment opened and their expiry timers); shared
  // state such as presence and rate budgets lives behind the engine's ports.
  const live = new Map<ParleySocket, NodeJS.Timeout | undefined>();
  const pending = new Set<Promise<unknown>>();
  let closed = false;

  const track = (work: Promise<unknown>, what: string, context: object) => {
    const guarded = work.catch((error: unknown) => logger.error({ ...context, err: error }, what));
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
  };

  server.use(authMiddleware(engine, logger, handshakes, () => closed));
  guardRecovery(server, engine, logger);

  const handlers: { [K in ClientEventName]: Handler<K> } = {
    private_message: (socket, payload) =>
      engine.messages.sendPrivate(socket.data.userId, payload, { connectionId: socket.id }),
    group_message: (socket, payload) =>
      engine.messages.sendGroup(socket.data.userId, payload, { connectionId: socket.id }),
    message_status_update: async (socket, payload) => {
      await engine.messages.updateStatus(socket.data.userId, payload);
      return {};
    },
    typing_status: async (socket, payload) => {
      await engine.presence.typing(socket.data.userId, payload, { connectionId: socket.id });
      return {};
    },
    join_group_room: async (socket, { groupId }) => {
      await engine.groups.assertMember(socket.data.userId, groupId);
      // A socket that left while this ran must not be put back into a room it will never leave.
      if (socket.connected) await socket.join(groupRoom(groupId));
      return { groupId };
    },
    recall_message: (socket, { messageId }) => engine.messages.recall(socket.data.userId, messageId),
    sync: (socket, payload) => engine.messages.sync(socket.data.userId, payload),
  };

  const answer = (
    socket: ParleySocket,
    event: ClientEventName,
    ack: Ack<unknown> | undefined,
    error: unknown,
  ) => {
    const chatError = toChatError(error);
    let body: ChatErrorBody;
    if (chatError.code === 'INTERNAL') {
      logger.error(
        { err: error, event, userId: socket.data.userId, socketId: socket.id },
        'socket event failed',
      );
      body = new ChatError('INTERNAL').toJSON();
    } else {
      body = chatError.toJSON();
    }
    if (ack) ack({ ok: false, error: body } satisfies AckResponse<unknown>);
    else socket.emit('chat_error', { event, code: body.code, message: body.message });
  };

  const consume = (socket: ParleySocket): Promise<RateDecision> =>
    rateLimiter.consume(`socket:${socket.id}`, eventRule).catch((error: unknown) => {
      // A limiter outage must not take the chat down with it: fail open, loudly.
      logger.warn({ err: error, socketId: socket.id }, 'event rate limiter failed; allowing the event');
      return { allowed: true, remaining: 0, retryAfterMs: 0 };
    });

  const listen = (socket: ParleySocket) => {
    // Events of one socket run one after another, so messages sent in order commit in order.
    let queue: Promise<void> = Promise.resolve();
    let queued = 0;
    for (const event of CLIENT_EVENT_NAMES) {
      (socket as unknown as UntypedOn).on(event, (...args: unknown[]) => {
        const last = args.at(-1);
        const ack = typeof last === 'function' ? (args.pop() as Ack<unknown>) : undefined;
        const payload = args[0];
        if (queued >= maxQueued) {
          try {
            answer(socket, event, ack, new ChatError('RATE_LIMITED', 'Too many events, slow down'));
          } catch (error) {
            logger.error({ err: error, event, socketId: socket.id }, 'socket event answer failed');
          }
          return;
        }
        queued += 1;
        const decision = consume(socket);
        queue = queue.then(async () => {
          try {
            const { allowed, retryAfterMs } = await decision;
            if (!allowed) {
              throw new ChatError('RATE_LIMITED', 'Too many events, slow down', {
                details: { retryAfterMs },
              });
            }
            const handler = handlers[event] as Handler<ClientEventName>;
            const data = await handler(socket, parsePayload(event, payload));
            ack?.({ ok: true, data });
          } catch (error) {
            answer(socket, event, ack, error);
          } finally {
            queued -= 1;
          }
        });
        // Whatever happens to one event, the socket's queue must keep flowing.
        queue = queue.catch((error: unknown) =>
          logger.error({ err: error, event, socketId: socket.id }, 'socket event answer failed'),
        );
      });
    }
  };

  const scheduleExpiry = (socket: ParleySocket) => {
    const delay = Math.min(Math.max(socket.data.exp - Date.now(), 0), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      if (!live.has(socket)) return;
      if (socket.data.exp > Date.now()) return scheduleExpiry(socket);
      socket.emit('chat_error', {
        event: 'connection',
        code: 'TOKEN_EXPIRED',
        message: 'The token has expired',
      });
      socket.disconnect(true);
    }, delay);
    timer.unref();
    live.set(socket, timer);
  };

  const onConnection = (socket: ParleySocket) => {
    // A recovered socket skipping the middleware (skipMiddlewares: true) keeps its old data; one
    // without any is refused rather than put into `user:undefined`.
    if (closed || typeof socket.data?.userId !== 'string') {
      socket.disconnect(true);
      return;
    }
    const { userId } = socket.data;
    socket.on('error', (error) => logger.warn({ err: error, userId, socketId: socket.id }, 'socket error'));
    listen(socket);

    const handshake = handshakes.get(socket);
    handshakes.delete(socket);
    const rooms = [userRoom(userId), ...(handshake?.groupIds ?? []).map(groupRoom)];
    // A cluster adapter answers joins with a promise; a rejected one must be logged, not left to
    // crash the process as an unhandled rejection.
    const settle = (work: Promise<void> | void, what: string) => {
      if (work) track(work, what, { userId, socketId: socket.id });
    };
    if (handshake) {
      // A recovered socket comes back with the rooms it had; membership may have changed since.
      for (const room of socket.rooms)
        if (room !== socket.id && !rooms.includes(room)) settle(socket.leave(room), 'leaving rooms failed');
    }
    settle(socket.join(rooms), 'joining rooms failed');

    scheduleExpiry(socket);
    track(engine.presence.connected(userId, socket.id), 'presence connect failed', {
      userId,
      socketId: socket.id,
    });

    socket.on('disconnect', () => {
      clearTimeout(live.get(socket));
      live.delete(socket);
      track(engine.presence.disconnected(userId, socket.id), 'presence disconnect failed', {
        userId,
        socketId: socket.id,
      });
    });
  };
  server.on('connection', onConnection);

  // --- engine events → rooms -------------------------------------------------------------------

  // With Socket.IO's own single-node adapter the local room table is the whole truth, so a
  // broadcast that would reach nobody (the sender's "other devices" when it has one, an offline
  // receiver) can be skipped before it is encoded. A cluster adapter keeps every broadcast.
  const adapter = server.of('/').adapter;
  const roomTableIsComplete = Object.getPrototypeOf(adapter) === InMemoryAdapter.prototype;
  const reachesAnyone = (rooms: readonly string[], except: string | undefined): boolean => {
    if (!roomTableIsComplete) return true;
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
    if (!reachesAnyone(rooms, except)) return;
    const target = except === undefined ? server.to(rooms) : server.to(rooms).except(except);
    (target as unknown as UntypedBroadcast).emit(name, payload);
  };

  /** The receiver's devices get the message with an ack; the first receipt marks it delivered. */
  const sendWithReceipt = (message: MessageView, receiverId: string, except: string | undefined) => {
    const room = userRoom(receiverId);
    if (!reachesAnyone([room], except)) return; // offline: the receiver syncs by seq later
    const target = except === undefined ? server.to(room) : server.to(room).except(except);
    // The ack is optional in the event map, which Socket.IO's timeout typing cannot follow.
    const withAck = target.timeout(ackTimeoutMs) as unknown as ReceiptBroadcast;
    withAck.emit('new_private_message', message, (_timeout, receipts) => {
      // Called once: when every device answered or at the timeout with the answers so far.
      if (receipts.length === 0) return;
      track(engine.messages.markDelivered(receiverId, message.id), 'markDelivered failed', {
        userId: receiverId,
        messageId: message.id,
      });
    });
  };

  const route = (name: ChatEventName) => (payload: unknown, audience: Audience) => {
    let users = audience.users ?? [];
    const except = audience.exceptConnection;
    if (name === 'new_private_message') {
      const message = payload as MessageView;
      const receiverId = message.receiverId;
      if (receiverId !== undefined && users.includes(receiverId)) {
        sendWithReceipt(message, receiverId, except);
        users = users.filter((id) => id !== receiverId);
      }
    }
    const rooms = [...users.map(userRoom), ...(audience.groups ?? []).map(groupRoom)];
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
        for (const [socket, timer] of live) {
          clearTimeout(timer);
          socket.disconnect(true);
        }
        live.clear();
        await Promise.allSettled([...pending]);
      })();
      return closing;
    },
  };
}
