/**
 * The handshake: every socket proves who it is before it connects. A refusal reaches the client as
 * `connect_error` whose `message` is the contract's code (`UNAUTHORIZED`, `TOKEN_EXPIRED`).
 */
import { type ChatEngine, ChatError, type ChatErrorBody, type Logger, toChatError } from '@parley/chat-core';
import type { ExtendedError } from 'socket.io';
import type { ParleySocket } from './types.js';

/**
 * The token of a handshake: `auth.token` (preferred), then the `token` query parameter (the
 * original README's client), then `Authorization: Bearer`. A `Bearer ` prefix is tolerated
 * everywhere. Answers `null` when none is given.
 */
export function tokenFromHandshake(handshake: ParleySocket['handshake']): string | null {
  const auth: unknown = handshake.auth;
  const fromAuth =
    typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>).token : undefined;
  if (typeof fromAuth === 'string' && fromAuth.length > 0) return stripBearer(fromAuth);

  const fromQuery = handshake.query.token;
  const query = Array.isArray(fromQuery) ? fromQuery[0] : fromQuery;
  if (typeof query === 'string' && query.length > 0) return stripBearer(query);

  const header = handshake.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1]) return match[1];
  }
  return null;
}

function stripBearer(token: string): string {
  return token.replace(/^Bearer\s+/i, '').trim();
}

/** A handshake refusal: Socket.IO sends `message` and `data` to the client's `connect_error`. */
export function handshakeError(body: ChatErrorBody): ExtendedError {
  const error: ExtendedError = new Error(body.code);
  error.data = { code: body.code, message: body.message };
  return error;
}

/** What the middleware found out about a socket, kept until its `connection` handler runs. */
export interface HandshakeResult {
  groupIds: readonly string[];
}

/**
 * The `io.use` middleware: authenticates the token, fills `socket.data`, and reads the user's group
 * ids so the connection handler joins every room synchronously, before the first event can pass.
 */
export function authMiddleware(
  engine: ChatEngine,
  logger: Logger,
  results: WeakMap<ParleySocket, HandshakeResult>,
  isClosed: () => boolean,
): (socket: ParleySocket, next: (err?: ExtendedError) => void) => void {
  return (socket, next) => {
    void (async () => {
      if (isClosed())
        return next(handshakeError({ code: 'INTERNAL', message: 'The server is shutting down' }));
      const token = tokenFromHandshake(socket.handshake);
      if (!token) return next(handshakeError({ code: 'UNAUTHORIZED', message: 'A token is required' }));
      let session: Awaited<ReturnType<ChatEngine['auth']['authenticate']>>;
      try {
        const userAgent = socket.handshake.headers['user-agent'];
        // The device's user agent goes to its session; the address stays out (no proxy trust here).
        session = await engine.auth.authenticate(token, typeof userAgent === 'string' ? { userAgent } : {});
      } catch (error) {
        const chatError = toChatError(error);
        if (chatError.code !== 'INTERNAL') return next(handshakeError(chatError.toJSON()));
        // The cause goes to the logs; the client only ever gets the generic message.
        logger.error({ err: error }, 'socket handshake failed');
        return next(handshakeError(new ChatError('INTERNAL').toJSON()));
      }
      socket.data = { userId: session.userId, jti: session.jti, exp: session.expiresAt.getTime(), token };
      let groupIds: string[] = [];
      try {
        groupIds = await engine.groups.listMyGroupIds(session.userId);
      } catch (error) {
        // Fail open: the user still gets private messages, and `join_group_room` or the next
        // reconnect fills the group rooms; sync by seq covers anything missed meanwhile.
        logger.error({ err: error, userId: session.userId }, 'could not list groups at handshake');
      }
      results.set(socket, { groupIds });
      next();
    })();
  };
}
