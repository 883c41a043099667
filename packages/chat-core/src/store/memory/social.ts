/**
 * The social area of `memoryStore()`: friend requests (by id, plus a pending index per pair and
 * per user), friendships (userId → friendId → since) and blocks (blocker → blocked → record).
 */
import type { BlockRecord, FriendRequestRecord, FriendshipRecord } from '../../domain/records.js';
import type { Page, PageQuery, Relation, SocialStore } from '../../ports/store.js';
import { decodeCursor, encodeCursor, firstPage } from './paging.js';

const pair = (fromId: string, toId: string) => `${fromId}\u0000${toId}`;
const copyRequest = (request: FriendRequestRecord): FriendRequestRecord => structuredClone(request);

/** A position in a list ordered by (time, id): the cursor is opaque to callers. */
type Key = [time: number, id: string];

function isKey(value: unknown): value is Key {
  return Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string';
}

function compareKeys(a: Key, b: Key): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/**
 * One keyset page of `items` ordered by `keyOf`, ascending or descending. The cursor is the key of
 * the last item served, so inserts and deletes between pages never repeat or skip an item.
 */
function keysetPage<T, R>(
  items: Iterable<T>,
  keyOf: (item: T) => Key,
  order: 'asc' | 'desc',
  page: PageQuery,
  map: (item: T) => R,
): Page<R> {
  const sign = order === 'asc' ? 1 : -1;
  let after: Key | null = null;
  if (page.cursor !== undefined) {
    after = decodeCursor(page.cursor, isKey);
    if (after === null) return { items: [], hasMore: false, nextCursor: null };
  }
  const keyed: { item: T; key: Key }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (after === null || sign * compareKeys(key, after) > 0) keyed.push({ item, key });
  }
  keyed.sort((a, b) => sign * compareKeys(a.key, b.key));
  return firstPage(
    keyed,
    page.limit,
    (entry) => map(entry.item),
    (last) => encodeCursor(last.key),
  );
}

export function memorySocialStore(): SocialStore {
  const requests = new Map<string, FriendRequestRecord>();
  const pendingByPair = new Map<string, string>();
  const pendingIncoming = new Map<string, Set<string>>();
  const pendingOutgoing = new Map<string, Set<string>>();
  const friends = new Map<string, Map<string, Date>>();
  const blocks = new Map<string, Map<string, BlockRecord>>();

  const addTo = <V>(index: Map<string, Set<V>>, key: string, value: V) => {
    let set = index.get(key);
    if (!set) {
      set = new Set();
      index.set(key, set);
    }
    set.add(value);
  };
  const removeFrom = <V>(index: Map<string, Set<V>>, key: string, value: V) => {
    const set = index.get(key);
    if (!set) return;
    set.delete(value);
    if (set.size === 0) index.delete(key);
  };
  const unindexPending = (request: FriendRequestRecord) => {
    pendingByPair.delete(pair(request.fromId, request.toId));
    removeFrom(pendingIncoming, request.toId, request.id);
    removeFrom(pendingOutgoing, request.fromId, request.id);
  };
  const blocked = (blockerId: string, blockedId: string) => blocks.get(blockerId)?.has(blockedId) ?? false;

  return {
    async createRequest(request) {
      const pendingId = pendingByPair.get(pair(request.fromId, request.toId));
      const pending = pendingId === undefined ? undefined : requests.get(pendingId);
      if (pending) return { request: copyRequest(pending), created: false };
      const stored = copyRequest(request);
      requests.set(stored.id, stored);
      if (stored.status === 'pending') {
        pendingByPair.set(pair(stored.fromId, stored.toId), stored.id);
        addTo(pendingIncoming, stored.toId, stored.id);
        addTo(pendingOutgoing, stored.fromId, stored.id);
      }
      return { request: copyRequest(stored), created: true };
    },
    async getRequest(id) {
      const request = requests.get(id);
      return request ? copyRequest(request) : null;
    },
    async getPendingRequest(fromId, toId) {
      const id = pendingByPair.get(pair(fromId, toId));
      const request = id === undefined ? undefined : requests.get(id);
      return request ? copyRequest(request) : null;
    },
    async listPendingRequests(userId, direction, page) {
      const ids = (direction === 'incoming' ? pendingIncoming : pendingOutgoing).get(userId) ?? new Set();
      const items: FriendRequestRecord[] = [];
      for (const id of ids) {
        const request = requests.get(id);
        if (request) items.push(request);
      }
      return keysetPage(items, (r) => [r.createdAt.getTime(), r.id], 'desc', page, copyRequest);
    },
    async resolveRequest(id, status, at) {
      const request = requests.get(id);
      if (request?.status !== 'pending') return null;
      unindexPending(request);
      request.status = status;
      request.respondedAt = new Date(at.getTime());
      return copyRequest(request);
    },
    async deletePendingBetween(a, b) {
      let count = 0;
      for (const key of [pair(a, b), pair(b, a)]) {
        const id = pendingByPair.get(key);
        const request = id === undefined ? undefined : requests.get(id);
        if (!request) continue;
        unindexPending(request);
        requests.delete(request.id);
        count += 1;
      }
      return count;
    },
    async addFriendship(a, b, since) {
      if (friends.get(a)?.has(b)) return false;
      const at = new Date(since.getTime());
      for (const [userId, friendId] of [
        [a, b],
        [b, a],
      ] as const) {
        let mine = friends.get(userId);
        if (!mine) {
          mine = new Map();
          friends.set(userId, mine);
        }
        mine.set(friendId, at);
      }
      return true;
    },
    async removeFriendship(a, b) {
      if (!friends.get(a)?.has(b)) return false;
      friends.get(a)?.delete(b);
      friends.get(b)?.delete(a);
      if (friends.get(a)?.size === 0) friends.delete(a);
      if (friends.get(b)?.size === 0) friends.delete(b);
      return true;
    },
    async getRelation(a, b): Promise<Relation> {
      const since = friends.get(a)?.get(b);
      return {
        friendship: since ? { userId: a, friendId: b, since: new Date(since.getTime()) } : null,
        aBlocksB: blocked(a, b),
        bBlocksA: blocked(b, a),
      };
    },
    async listFriends(userId, page) {
      const mine = friends.get(userId) ?? new Map<string, Date>();
      return keysetPage(
        mine,
        ([friendId, since]) => [since.getTime(), friendId],
        'asc',
        page,
        ([friendId, since]): FriendshipRecord => ({ userId, friendId, since: new Date(since.getTime()) }),
      );
    },
    async listFriendIds(userId) {
      return [...(friends.get(userId)?.keys() ?? [])];
    },
    async addBlock(block) {
      if (blocked(block.blockerId, block.blockedId)) return false;
      let mine = blocks.get(block.blockerId);
      if (!mine) {
        mine = new Map();
        blocks.set(block.blockerId, mine);
      }
      mine.set(block.blockedId, structuredClone(block));
      return true;
    },
    async removeBlock(blockerId, blockedId) {
      const mine = blocks.get(blockerId);
      if (!mine?.delete(blockedId)) return false;
      if (mine.size === 0) blocks.delete(blockerId);
      return true;
    },
    async listBlocks(blockerId, page) {
      const mine = blocks.get(blockerId)?.values() ?? [];
      return keysetPage(
        mine,
        (b) => [b.createdAt.getTime(), b.blockedId],
        'desc',
        page,
        (b): BlockRecord => structuredClone(b),
      );
    },
    async filterBlockedEither(userId, candidateIds) {
      const result = new Set<string>();
      for (const id of candidateIds) if (blocked(userId, id) || blocked(id, userId)) result.add(id);
      return result;
    },
  };
}
