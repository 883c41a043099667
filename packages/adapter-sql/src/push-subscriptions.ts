/**
 * The push-subscriptions area: one row per browser endpoint (a unique key), replaced in one
 * statement when the endpoint subscribes again.
 */
import type { PushSubscriptionRecord, PushSubscriptionStore } from '@parley/chat-core';
import type { Selectable } from 'kysely';
import { readDate } from './codec.js';
import type { PushSubscriptionsTable } from './database.js';
import { guard } from './errors.js';
import type { Ready } from './handle.js';

/** Ids bound per statement (PostgreSQL binds at most 65,535 parameters, SQLite 32,766). */
const IN_LIST_SLICE = 1000;

function toSubscription(row: Selectable<PushSubscriptionsTable>): PushSubscriptionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    endpoint: row.endpoint,
    p256dh: row.p256dh,
    auth: row.auth,
    sessionId: row.session_id ?? null,
    createdAt: readDate(row.created_at),
  };
}

export function sqlPushSubscriptionStore(ready: Ready): PushSubscriptionStore {
  return {
    upsert: (subscription) =>
      guard(async () => {
        const { db, codec } = await ready();
        // Insert, or take over the endpoint's row in the same statement: the same owner keeps the
        // row's id and creation time (clients hold the id), a new owner gets the new ones. The
        // right-hand sides read the row as it was before this update, on both dialects.
        const row = await db
          .insertInto('parley_push_subscriptions')
          .values({
            id: subscription.id,
            user_id: subscription.userId,
            endpoint: subscription.endpoint,
            p256dh: subscription.p256dh,
            auth: subscription.auth,
            session_id: subscription.sessionId,
            created_at: codec.date(subscription.createdAt),
          })
          .onConflict((oc) =>
            oc.column('endpoint').doUpdateSet((eb) => {
              const sameOwner = eb('parley_push_subscriptions.user_id', '=', eb.ref('excluded.user_id'));
              return {
                id: eb
                  .case()
                  .when(sameOwner)
                  .then(eb.ref('parley_push_subscriptions.id'))
                  .else(eb.ref('excluded.id'))
                  .end(),
                created_at: eb
                  .case()
                  .when(sameOwner)
                  .then(eb.ref('parley_push_subscriptions.created_at'))
                  .else(eb.ref('excluded.created_at'))
                  .end(),
                user_id: eb.ref('excluded.user_id'),
                p256dh: eb.ref('excluded.p256dh'),
                auth: eb.ref('excluded.auth'),
                session_id: eb.ref('excluded.session_id'),
              };
            }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        return toSubscription(row);
      }),

    listByUser: (userId) =>
      guard(async () => {
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_push_subscriptions')
          .selectAll()
          .where('user_id', '=', userId)
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        return rows.map(toSubscription);
      }),

    usersWithSubscriptions: (userIds) =>
      guard(async () => {
        const found = new Set<string>();
        if (userIds.length === 0) return found;
        const { db } = await ready();
        const wanted = [...new Set(userIds)];
        // In slices: a group's audience can hold more ids than a statement may bind.
        for (let i = 0; i < wanted.length; i += IN_LIST_SLICE) {
          const rows = await db
            .selectFrom('parley_push_subscriptions')
            .select('user_id')
            .distinct()
            .where('user_id', 'in', wanted.slice(i, i + IN_LIST_SLICE))
            .execute();
          for (const row of rows) found.add(row.user_id);
        }
        return found;
      }),

    delete: (userId, id) =>
      guard(async () => {
        const { db } = await ready();
        const result = await db
          .deleteFrom('parley_push_subscriptions')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      }),

    deleteByEndpoint: (endpoint) =>
      guard(async () => {
        const { db } = await ready();
        await db.deleteFrom('parley_push_subscriptions').where('endpoint', '=', endpoint).execute();
      }),

    deleteBySession: (sessionId) =>
      guard(async () => {
        const { db } = await ready();
        await db.deleteFrom('parley_push_subscriptions').where('session_id', '=', sessionId).execute();
      }),

    deleteAllOfUser: (userId) =>
      guard(async () => {
        const { db } = await ready();
        await db.deleteFrom('parley_push_subscriptions').where('user_id', '=', userId).execute();
      }),
  };
}
