/**
 * The realtime session: one socket.io-client socket with the token in `auth.token`, reconnecting
 * with backoff whatever ended the connection (a cut, a server restart, the server disconnecting
 * it, a refused handshake after a token change), and typed requests with a timeout. A session the
 * server ended (signed out from another device, logout, password change) is not retried: the
 * server says so with `chat_error { event: 'connection', code: 'UNAUTHORIZED' }` just before it
 * disconnects, and the session asks for a new token at once or stays `unauthorized`.
 */
import type { ClientEventMap, ClientEventName } from '@parley/chat-core';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { errorFromBody, ParleyError } from '../errors/parley-error.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import type { ClientToServerEvents, ServerEvents } from './socket-events.js';

/** The socket of a session, typed with the contract's events. */
export type ParleySocket = Socket<ServerEvents, ClientToServerEvents>;

/** Where the socket is. */
export type SocketState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'unauthorized' | 'closed';

/** Options of {@link createRealtimeSession}. */
export interface RealtimeSessionOptions {
  url: string;
  getToken: () => string | null;
  /** Reconnect waits. @default { minMs: 500, maxMs: 10000, factor: 2, jitter: 0.5 } */
  backoff?: BackoffOptions | undefined;
  /** A socket request with no ack after this long fails with TIMEOUT. @default 10000 */
  ackTimeoutMs?: number | undefined;
  /** Passed on to socket.io-client (transports, path, extraHeaders in Node …). */
  socketOptions?: Partial<ManagerOptions & SocketOptions> | undefined;
  /** The handshake was refused with UNAUTHORIZED or TOKEN_EXPIRED: answer a new token, or null. */
  onAuthError: (code: string) => Promise<string | null> | string | null;
  onState: (state: SocketState, detail?: { reason?: string; error?: ParleyError }) => void;
}

/** A running session. */
export interface RealtimeSession {
  readonly socket: ParleySocket;
  readonly state: SocketState;
  /** Opens the socket (idempotent). */
  connect(): void;
  /** Drops the connection and opens a new one (a new token, a suspected stall). */
  reconnect(): void;
  /** Sends a client event and answers its ack's data; a refusal, timeout or drop throws. */
  request<E extends ClientEventName>(
    event: E,
    payload: ClientEventMap[E]['payload'],
    timeoutMs?: number,
  ): Promise<ClientEventMap[E]['data']>;
  /** Closes for good. */
  close(): void;
}

const AUTH_CODES = new Set(['UNAUTHORIZED', 'TOKEN_EXPIRED']);

/** Creates a {@link RealtimeSession}; nothing connects before `connect()`. */
export function createRealtimeSession(options: RealtimeSessionOptions): RealtimeSession {
  const backoff = options.backoff ?? {};
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  let state: SocketState = 'idle';
  let attempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const socket: ParleySocket = io(options.url, {
    autoConnect: false,
    forceNew: true,
    reconnection: true,
    reconnectionDelay: backoff.minMs ?? 500,
    reconnectionDelayMax: backoff.maxMs ?? 10_000,
    randomizationFactor: backoff.jitter ?? 0.5,
    ...options.socketOptions,
    // Read at every handshake, so a reconnect always carries the current token.
    auth: (cb: (data: object) => void) => cb({ token: options.getToken() ?? '' }),
  });

  const setState = (next: SocketState, detail?: { reason?: string; error?: ParleyError }) => {
    if (state === 'closed') return;
    state = next;
    options.onState(next, detail);
  };

  /** A reconnect the Manager will not make itself (server-side disconnect, refused handshake). */
  const retryLater = () => {
    if (state === 'closed' || retryTimer) return;
    attempts += 1;
    retryTimer = setTimeout(
      () => {
        retryTimer = null;
        if (state === 'closed' || socket.connected) return;
        setState('connecting');
        socket.connect();
      },
      backoffDelay(attempts, backoff),
    );
  };

  /** The token was refused or its session ended: retry only with a new one from `onAuthError`. */
  const authFailed = (code: string, message: string, beforeRetry?: () => void) => {
    const error = new ParleyError({ code: code as 'UNAUTHORIZED', message });
    void Promise.resolve(options.onAuthError(code)).then(
      (token) => {
        if (!token) {
          setState('unauthorized', { error });
          return;
        }
        beforeRetry?.();
        retryLater();
      },
      () => setState('unauthorized', { error }),
    );
  };

  /** Set by the server's notice that this connection's session ended; read at the disconnect. */
  let ended: { code: string; message: string } | null = null;

  socket.on('connect', () => {
    attempts = 0;
    ended = null;
    setState('connected');
  });
  socket.on('chat_error', (notice) => {
    if (notice.event === 'connection' && AUTH_CODES.has(notice.code))
      ended = { code: notice.code, message: notice.message };
  });
  socket.on('disconnect', (reason) => {
    const endedBy = reason === 'io server disconnect' ? ended : null;
    ended = null;
    if (endedBy) {
      // A handshake with the same token would only be refused: skip it (and the "offline" between).
      authFailed(endedBy.code, endedBy.message, () => setState('disconnected', { reason }));
      return;
    }
    setState('disconnected', { reason });
    // 'io client disconnect' is ours (close or reconnect); the Manager retries transport errors.
    if (reason === 'io server disconnect') retryLater();
  });
  socket.io.on('reconnect_attempt', () => setState('connecting'));
  socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
    const code = err.data?.code ?? err.message;
    if (socket.active) {
      // A transport error: the Manager retries with its own backoff.
      setState('disconnected', { reason: err.message });
      return;
    }
    if (AUTH_CODES.has(code)) {
      authFailed(code, err.data?.message ?? code);
      return;
    }
    setState('disconnected', { reason: err.message });
    retryLater();
  });

  return {
    socket,
    get state() {
      return state;
    },
    connect() {
      if (state === 'closed' || socket.connected || socket.active) return;
      setState('connecting');
      socket.connect();
    },
    reconnect() {
      if (state === 'closed') return;
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = null;
      }
      socket.disconnect();
      setState('connecting');
      socket.connect();
    },
    request(event, payload, timeoutMs = ackTimeoutMs) {
      if (!socket.connected)
        return Promise.reject(new ParleyError({ code: 'NETWORK', message: `${event}: not connected` }));
      return new Promise((resolve, reject) => {
        // biome-ignore lint/suspicious/noExplicitAny: socket.io's timeout() overloads do not carry a generic event name
        (socket.timeout(timeoutMs) as any).emit(
          event,
          payload,
          (err: Error | null, response: { ok: boolean; data?: unknown; error?: unknown }) => {
            if (err) {
              const dropped = !socket.connected;
              reject(
                new ParleyError({
                  code: dropped ? 'NETWORK' : 'TIMEOUT',
                  message: dropped ? `${event}: disconnected` : `${event}: no ack within ${timeoutMs} ms`,
                  cause: err,
                }),
              );
            } else if (response?.ok) resolve(response.data as ClientEventMap[typeof event]['data']);
            else reject(errorFromBody(response?.error));
          },
        );
      });
    },
    close() {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      state = 'closed';
      socket.disconnect();
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      options.onState('closed');
    },
  };
}
