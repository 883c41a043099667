/**
 * The social area: friend requests (one pending per direction by a partial unique key),
 * friendships stored as both sides, and the blacklist. Lists are keyset pages on (time, id).
 */
import type {
  BlockRecord,
  FriendRequestRecord,
  FriendRequestStatus,
  FriendshipRecord,
  Relation,
  SocialStore,
} from '@parley/chat-core';
import type { Selectable } from 'kysely';
import { readDate, readDateOrNull } from './codec.js';
import type { BlocksTable, FriendRequestsTable } from './database.js';
import { guard } from './errors.js';
import type { Ready } from './handle.js';
import { decodeCursor, emptyPage, encodeCursor, TIME_ID, toPage } from './paging.js';

function toRequest(row: Selectable<FriendRequestsTable>): FriendRequestRecord {
  return {
    id: row.id,
    fromId: row.from_id,
    toId: row.to_id,
    message: row.message,
    status: row.status as FriendRequestStatus,
    createdAt: readDate(row.created_at),
    respondedAt: readDateOrNull(row.responded_at),
  };
}

function toBlock(row: Selectable<BlocksTable>): BlockRecord {
  return { blockerId: row.blocker_id, blockedId: row.blocked_id, createdAt: readDate(row.created_at) };
}

/** Thrown inside a transaction to roll it back and answer `false`. */
class NoChange extends Error {}

export function sqlSocialStore(ready: Ready): SocialStore {
  return {
    createRequest: (request) =>
      guard(async () => {
        const { db, codec } = await ready();
        for (let attempt = 0; ; attempt++) {
          const inserted = await db
            .insertInto('parley_friend_requests')
            .values({
              id: request.id,
              from_id: request.fromId,
              to_id: request.toId,
              message: request.message,
              status: request.status,
              created_at: codec.date(request.createdAt),
              responded_at: codec.dateOrNull(request.respondedAt),
            })
            // The partial unique key on pending (from, to) decides concurrent creates.
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .executeTakeFirst();
          if (inserted) return { request: structuredClone(request), created: true };
          const pending = await db
            .selectFrom('parley_friend_requests')
            .selectAll()
            .where('from_id', '=', request.fromId)
            .where('to_id', '=', request.toId)
            .where('status', '=', 'pending')
            .executeTakeFirst();
          if (pending) return { request: toRequest(pending), created: false };
          // The winner was resolved between our refused insert and the lookup: try again.
          if (attempt >= 2) throw new Error('createRequest: could not insert or find the pending request');
        }
      }),

    getRequest: (id) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_friend_requests')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? toRequest(row) : null;
      }),

    getPendingRequest: (fromId, toId) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_friend_requests')
          .selectAll()
          .where('from_id', '=', fromId)
          .where('to_id', '=', toId)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        return row ? toRequest(row) : null;
      }),

    listPendingRequests: (userId, direction, page) =>
      guard(async () => {
        const list = `requests:${direction}:${userId}`;
        const after = decodeCursor(list, page.cursor, TIME_ID);
        if (page.limit < 1) return emptyPage<FriendRequestRecord>();
        const { db, codec } = await ready();
        const rows = await db
          .selectFrom('parley_friend_requests')
          .selectAll()
          .where(direction === 'incoming' ? 'to_id' : 'from_id', '=', userId)
          .where('status', '=', 'pending')
          .$if(after !== null, (q) =>
            q.where((eb) =>
              eb.or([
                eb('created_at', '<', codec.date(new Date(Number(after?.t)))),
                eb.and([
                  eb('created_at', '=', codec.date(new Date(Number(after?.t)))),
                  eb('id', '<', String(after?.i)),
                ]),
              ]),
            ),
          )
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(page.limit + 1)
          .execute();
        return toPage(rows, page.limit, toRequest, (last) =>
          encodeCursor(list, { t: readDate(last.created_at).getTime(), i: last.id }),
        );
      }),

    resolveRequest: (id, status, at) =>
      guard(async () => {
        const { db, codec } = await ready();
        // Conditional on `pending` in the same statement: of two concurrent accepts, one wins.
        const row = await db
          .updateTable('parley_friend_requests')
          .set({ status, responded_at: codec.date(at) })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .returningAll()
          .executeTakeFirst();
        return row ? toRequest(row) : null;
      }),

    deletePendingBetween: (a, b) =>
      guard(async () => {
        const { db } = await ready();
        const result = await db
          .deleteFrom('parley_friend_requests')
          .where('status', '=', 'pending')
          .where((eb) =>
            eb.or([
              eb.and([eb('from_id', '=', a), eb('to_id', '=', b)]),
              eb.and([eb('from_id', '=', b), eb('to_id', '=', a)]),
            ]),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      }),

    addFriendship: (a, b, since) =>
      guard(async () => {
        const { db, codec } = await ready();
        try {
          await db.transaction().execute(async (trx) => {
            // Always the smaller id's side first: concurrent adds of (a, b) and (b, a) queue on
            // the same row instead of each holding one side and waiting for the other.
            const [first, second] = a < b ? [a, b] : [b, a];
            for (const [userId, friendId] of [
              [first, second],
              [second, first],
            ] as const) {
              const inserted = await trx
                .insertInto('parley_friendships')
                .values({ user_id: userId, friend_id: friendId, since: codec.date(since) })
                .onConflict((oc) => oc.doNothing())
                .returning('user_id')
                .executeTakeFirst();
              // Either side already there: they are friends (or a concurrent add won), change nothing.
              if (!inserted) throw new NoChange();
            }
          });
          return true;
        } catch (error) {
          if (error instanceof NoChange) return false;
          throw error;
        }
      }),

    removeFriendship: (a, b) =>
      guard(async () => {
        const { db } = await ready();
        const result = await db
          .deleteFrom('parley_friendships')
          .where((eb) =>
            eb.or([
              eb.and([eb('user_id', '=', a), eb('friend_id', '=', b)]),
              eb.and([eb('user_id', '=', b), eb('friend_id', '=', a)]),
            ]),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),

    getRelation: (a, b) =>
      guard(async (): Promise<Relation> => {
        const { db, sqlite } = await ready();
        if (sqlite) return sqlite.getRelation(a, b); // SQLite: prepared statements (sqlite-hot-path.ts)
        const friendship = await db
          .selectFrom('parley_friendships')
          .selectAll()
          .where('user_id', '=', a)
          .where('friend_id', '=', b)
          .executeTakeFirst();
        const blocks = await db
          .selectFrom('parley_blocks')
          .select(['blocker_id', 'blocked_id'])
          .where((eb) =>
            eb.or([
              eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]),
              eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)]),
            ]),
          )
          .execute();
        return {
          friendship: friendship
            ? {
                userId: friendship.user_id,
                friendId: friendship.friend_id,
                since: readDate(friendship.since),
              }
            : null,
          aBlocksB: blocks.some((row) => row.blocker_id === a && row.blocked_id === b),
          bBlocksA: blocks.some((row) => row.blocker_id === b && row.blocked_id === a),
        };
      }),

    listFriends: (userId, page) =>
      guard(async () => {
        const list = `friends:${userId}`;
        const after = decodeCursor(list, page.cursor, TIME_ID);
        if (page.limit < 1) return emptyPage<FriendshipRecord>();
        const { db, codec } = await ready();
        const rows = await db
          .selectFrom('parley_friendships')
          .selectAll()
          .where('user_id', '=', userId)
          .$if(after !== null, (q) =>
            q.where((eb) =>
              eb.or([
                eb('since', '>', codec.date(new Date(Number(after?.t)))),
                eb.and([
                  eb('since', '=', codec.date(new Date(Number(after?.t)))),
                  eb('friend_id', '>', String(after?.i)),
                ]),
              ]),
            ),
          )
          .orderBy('since')
          .orderBy('friend_id')
          .limit(page.limit + 1)
          .execute();
        return toPage(
          rows,
          page.limit,
          (row): FriendshipRecord => ({
            userId: row.user_id,
            friendId: row.friend_id,
            since: readDate(row.since),
          }),
          (last) => encodeCursor(list, { t: readDate(last.since).getTime(), i: last.friend_id }),
        );
      }),

    listFriendIds: (userId) =>
      guard(async () => {
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_friendships')
          .select('friend_id')
          .where('user_id', '=', userId)
          .execute();
        return rows.map((row) => row.friend_id);
      }),

    addBlock: (block) =>
      guard(async () => {
        const { db, codec } = await ready();
        const inserted = await db
          .insertInto('parley_blocks')
          .values({
            blocker_id: block.blockerId,
            blocked_id: block.blockedId,
            created_at: codec.date(block.createdAt),
          })
          .onConflict((oc) => oc.doNothing())
          .returning('blocker_id')
          .executeTakeFirst();
        return inserted !== undefined;
      }),

    removeBlock: (blockerId, blockedId) =>
      guard(async () => {
        const { db } = await ready();
        const result = await db
          .deleteFrom('parley_blocks')
          .where('blocker_id', '=', blockerId)
          .where('blocked_id', '=', blockedId)
          .executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),

    listBlocks: (blockerId, page) =>
      guard(async () => {
        const list = `blocks:${blockerId}`;
        const after = decodeCursor(list, page.cursor, TIME_ID);
        if (page.limit < 1) return emptyPage<BlockRecord>();
        const { db, codec } = await ready();
        const rows = await db
          .selectFrom('parley_blocks')
          .selectAll()
          .where('blocker_id', '=', blockerId)
          .$if(after !== null, (q) =>
            q.where((eb) =>
              eb.or([
                eb('created_at', '<', codec.date(new Date(Number(after?.t)))),
                eb.and([
                  eb('created_at', '=', codec.date(new Date(Number(after?.t)))),
                  eb('blocked_id', '<', String(after?.i)),
                ]),
              ]),
            ),
          )
          .orderBy('created_at', 'desc')
          .orderBy('blocked_id', 'desc')
          .limit(page.limit + 1)
          .execute();
        return toPage(rows, page.limit, toBlock, (last) =>
          encodeCursor(list, { t: readDate(last.created_at).getTime(), i: last.blocked_id }),
        );
      }),

    filterBlockedEither: (userId, candidateIds) =>
      guard(async () => {
        const result = new Set<string>();
        if (candidateIds.length === 0) return result;
        const { db } = await ready();
        const candidates = [...new Set(candidateIds)];
        const rows = await db
          .selectFrom('parley_blocks')
          .select(['blocker_id', 'blocked_id'])
          .where((eb) =>
            eb.or([
              eb.and([eb('blocker_id', '=', userId), eb('blocked_id', 'in', candidates)]),
              eb.and([eb('blocked_id', '=', userId), eb('blocker_id', 'in', candidates)]),
            ]),
          )
          .execute();
        for (const row of rows) result.add(row.blocker_id === userId ? row.blocked_id : row.blocker_id);
        return result;
      }),
  };
}
