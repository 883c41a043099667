/**
 * The sessions area: one row per issued token, keyed by its jti. Expired sessions are purged as a
 * user's list meets them, and all of them now and then, as a TTL index would.
 */
import type { SessionRecord, SessionStore } from '@parley/chat-core';
import type { Selectable } from 'kysely';
import { readDate } from './codec.js';
import type { SessionsTable } from './database.js';
import { guard } from './errors.js';
import type { Ready } from './handle.js';

const PURGE_EVERY_MS = 60_000;
/** The most sessions `listByUser` answers (the port's bound). */
const LIST_LIMIT = 100;

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: readDate(row.created_at),
    lastSeenAt: readDate(row.last_seen_at),
    expiresAt: readDate(row.expires_at),
  };
}

export function sqlSessionStore(ready: Ready): SessionStore {
  let lastPurge = 0;

  return {
    create: (session) =>
      guard(async () => {
        const { db, codec } = await ready();
        const values = {
          id: session.id,
          user_id: session.userId,
          user_agent: session.userAgent,
          ip: session.ip,
          created_at: codec.date(session.createdAt),
          last_seen_at: codec.date(session.lastSeenAt),
          expires_at: codec.date(session.expiresAt),
        };
        await db
          .insertInto('parley_sessions')
          .values(values)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({
              user_id: values.user_id,
              user_agent: values.user_agent,
              ip: values.ip,
              created_at: values.created_at,
              last_seen_at: values.last_seen_at,
              expires_at: values.expires_at,
            }),
          )
          .execute();
        // A session starts at the core's "now": whatever expired before it is gone for good.
        const now = session.createdAt.getTime();
        if (Math.abs(now - lastPurge) >= PURGE_EVERY_MS) {
          lastPurge = now;
          await db
            .deleteFrom('parley_sessions')
            .where('expires_at', '<=', codec.date(session.createdAt))
            .execute();
        }
      }),

    get: (id) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_sessions')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? toSession(row) : null;
      }),

    listByUser: (userId, now) =>
      guard(async () => {
        const { db, codec } = await ready();
        const at = codec.date(now);
        await db
          .deleteFrom('parley_sessions')
          .where('user_id', '=', userId)
          .where('expires_at', '<=', at)
          .execute();
        const rows = await db
          .selectFrom('parley_sessions')
          .selectAll()
          .where('user_id', '=', userId)
          .where('expires_at', '>', at)
          .orderBy('last_seen_at', 'desc')
          .orderBy('id')
          .limit(LIST_LIMIT)
          .execute();
        return rows.map(toSession);
      }),

    touch: (id, at) =>
      guard(async () => {
        const { db, codec } = await ready();
        const seen = codec.date(at);
        // One statement that only moves forward, so it also says whether the session exists.
        const result = await db
          .updateTable('parley_sessions')
          .set((eb) => ({
            last_seen_at: eb
              .case()
              .when('last_seen_at', '<', seen)
              // eb.val: a bound parameter, so every touch is the same prepared statement.
              .then(eb.val(seen))
              .else(eb.ref('last_seen_at'))
              .end(),
          }))
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }),

    delete: (userId, id) =>
      guard(async () => {
        const { db } = await ready();
        // A single DELETE: of two racing ends exactly one sees a deleted row.
        const result = await db
          .deleteFrom('parley_sessions')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      }),

    deleteAllOfUser: (userId) =>
      guard(async () => {
        const { db } = await ready();
        await db.deleteFrom('parley_sessions').where('user_id', '=', userId).execute();
      }),
  };
}
