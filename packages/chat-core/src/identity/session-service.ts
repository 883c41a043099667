/**
 * Signed-in devices: `engine.sessions`. Every issued token starts a session (user agent, address
 * when the host can tell it, created and last seen); a user lists theirs and ends any one, which
 * revokes that token and disconnects its sockets on every node.
 */

import { z } from 'zod';
import type { EngineContext, Origin } from '../context.js';
import type { SessionRecord } from '../domain/records.js';
import type { SessionView } from '../domain/views.js';
import { ChatError } from '../errors.js';
import { iso } from '../util/time.js';
import { idSchema, parseInput } from '../util/validate.js';
import type { Session } from './auth-service.js';

/** `lastSeenAt` is written at most this often per session: a busy client must not write per request. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

/** Touch times remembered; past this many the memory is cleared (it only saves writes). */
const MAX_REMEMBERED_TOUCHES = 50_000;

const MAX_USER_AGENT = 512;

/** `engine.sessions`. */
export interface SessionService {
  /** The caller's live sessions, most recently seen first; `current` marks the caller's own. */
  list(session: Session): Promise<{ sessions: SessionView[] }>;
  /**
   * Ends one of the caller's sessions: its token is revoked and its connections are told to close
   * (on every node). NOT_FOUND when the id is not one of the caller's live sessions.
   */
  end(session: Session, sessionId: string): Promise<void>;
  /**
   * Records that the session was used now (at most once a minute per session). A token issued
   * before sessions were recorded gets its session here, so it shows in the list too.
   */
  touch(session: Session, origin?: Origin): Promise<void>;
  /** Stores the session of a token just issued (register, login, password change). */
  start(session: Session, origin?: Origin): Promise<void>;
}

/** The record of a session, from its token and where it came from. */
function recordOf(session: Session, origin: Origin | undefined, now: Date): SessionRecord {
  const userAgent = origin?.userAgent?.slice(0, MAX_USER_AGENT).trim();
  return {
    id: session.jti,
    userId: session.userId,
    userAgent: userAgent ? userAgent : null,
    ip: origin?.sessionIp ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: session.expiresAt,
  };
}

function toSessionView(record: SessionRecord, currentId: string): SessionView {
  return {
    id: record.id,
    userAgent: record.userAgent,
    ...(record.ip !== null ? { ip: record.ip } : {}),
    createdAt: iso(record.createdAt),
    lastSeenAt: iso(record.lastSeenAt),
    current: record.id === currentId,
  };
}

export function createSessionService(ctx: EngineContext): SessionService {
  const { store } = ctx;
  const touchedAt = new Map<string, number>();

  return {
    async list(session) {
      const records = await store.sessions.listByUser(session.userId, ctx.clock.now());
      return { sessions: records.map((record) => toSessionView(record, session.jti)) };
    },

    async end(session, sessionId) {
      const { id } = parseInput(z.object({ id: idSchema }), { id: sessionId });
      const record = await store.sessions.get(id);
      if (!record || record.userId !== session.userId) throw new ChatError('NOT_FOUND', 'No such session');
      // Revoke first: should the delete fail, the token is refused all the same.
      await store.authTokens.revokeToken(record.id, record.expiresAt);
      await store.sessions.delete(session.userId, record.id);
      // A browser signed out from elsewhere must not keep showing the user's messages.
      await store.pushSubscriptions.deleteBySession(record.id);
      touchedAt.delete(record.id);
      ctx.signal('session_revoked', { userId: session.userId, jti: record.id });
    },

    async touch(session, origin) {
      const nowMs = ctx.clock.now().getTime();
      const last = touchedAt.get(session.jti);
      if (last !== undefined && nowMs - last < SESSION_TOUCH_INTERVAL_MS) return;
      if (touchedAt.size >= MAX_REMEMBERED_TOUCHES) touchedAt.clear();
      touchedAt.set(session.jti, nowMs);
      const now = new Date(nowMs);
      if (await store.sessions.touch(session.jti, now)) return;
      // No row: a token from before sessions were kept, or one ended a moment ago by a request
      // that raced this one. Only the first gets its row back.
      if (await store.authTokens.isTokenRevoked(session.jti)) return;
      await store.sessions.create({ ...recordOf(session, origin, now), createdAt: session.issuedAt });
    },

    async start(session, origin) {
      const now = ctx.clock.now();
      touchedAt.set(session.jti, now.getTime());
      await store.sessions.create(recordOf(session, origin, now));
    },
  };
}
