import { expect } from 'vitest';
import type { FriendRequestRecord } from '../../domain/records.js';
import { objectIdGenerator } from '../../ports/ids.js';
import type { Page, PageQuery } from '../../ports/store.js';
import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

const ids = objectIdGenerator();
const T0 = Date.UTC(2030, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function requestRecord(
  fromId: string,
  toId: string,
  overrides: Partial<FriendRequestRecord> = {},
): FriendRequestRecord {
  return {
    id: ids.next(),
    fromId,
    toId,
    message: null,
    status: 'pending',
    createdAt: at(0),
    respondedAt: null,
    ...overrides,
  };
}

/** Reads every page of a paginated list with `limit` per page, checking the page invariants. */
async function allPages<T>(read: (page: PageQuery) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await read({ cursor, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    pages.push(page.items);
    if (!page.hasMore) {
      expect(page.nextCursor).toBeNull();
      return pages;
    }
    expect(typeof page.nextCursor).toBe('string');
    cursor = page.nextCursor ?? undefined;
  }
  throw new Error('pagination did not end');
}

/** Store-level conformance of the social area. */
export function socialStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.social',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (test) => {
      test('createRequest stores a pending request that getRequest and getPendingRequest answer', async ({
        store,
      }) => {
        const [a, b] = [ids.next(), ids.next()];
        const request = requestRecord(a, b, { message: 'hi' });
        expect(await store.social.createRequest(request)).toEqual({ request, created: true });
        expect(await store.social.getRequest(request.id)).toEqual(request);
        expect(await store.social.getPendingRequest(a, b)).toEqual(request);
        expect(await store.social.getPendingRequest(b, a)).toBeNull();
      });

      test('lookups that match nothing answer null, false, zero or empty', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        expect(await store.social.getRequest(ids.next())).toBeNull();
        expect(await store.social.getRequest('not-an-id')).toBeNull();
        expect(await store.social.getPendingRequest(a, b)).toBeNull();
        expect(await store.social.resolveRequest(ids.next(), 'accepted', at(1))).toBeNull();
        expect(await store.social.deletePendingBetween(a, b)).toBe(0);
        expect(await store.social.removeFriendship(a, b)).toBe(false);
        expect(await store.social.removeBlock(a, b)).toBe(false);
        expect(await store.social.getRelation(a, b)).toEqual({
          friendship: null,
          aBlocksB: false,
          bBlocksA: false,
        });
        expect(await store.social.listFriendIds(a)).toEqual([]);
        expect(await store.social.filterBlockedEither(a, [])).toEqual(new Set());
        for (const page of [
          await store.social.listPendingRequests(a, 'incoming', { limit: 10 }),
          await store.social.listPendingRequests(a, 'outgoing', { limit: 10 }),
          await store.social.listFriends(a, { limit: 10 }),
          await store.social.listBlocks(a, { limit: 10 }),
        ]) {
          expect(page).toEqual({ items: [], hasMore: false, nextCursor: null });
        }
      });

      test('a second request while one is pending answers the pending one, created: false', async ({
        store,
      }) => {
        const [a, b] = [ids.next(), ids.next()];
        const first = requestRecord(a, b);
        await store.social.createRequest(first);
        const again = await store.social.createRequest(requestRecord(a, b, { message: 'again' }));
        expect(again).toEqual({ request: first, created: false });
        const reverse = await store.social.createRequest(requestRecord(b, a));
        expect(reverse.created).toBe(true);
        expect((await store.social.listPendingRequests(b, 'incoming', { limit: 10 })).items).toHaveLength(1);
      });

      test('concurrent createRequest calls for one pair create exactly one', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.social.createRequest(requestRecord(a, b, { createdAt: at(i) })),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const winner = results.find((r) => r.created)?.request;
        for (const r of results) expect(r.request.id).toBe(winner?.id);
        expect((await store.social.listPendingRequests(a, 'outgoing', { limit: 100 })).items).toHaveLength(1);
      });

      test('once resolved, a request is no longer pending and a new one can be made', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        const first = requestRecord(a, b);
        await store.social.createRequest(first);
        expect(await store.social.resolveRequest(first.id, 'rejected', at(5))).toEqual({
          ...first,
          status: 'rejected',
          respondedAt: at(5),
        });
        expect(await store.social.getPendingRequest(a, b)).toBeNull();
        expect(await store.social.getRequest(first.id)).toMatchObject({
          status: 'rejected',
          respondedAt: at(5),
        });
        const second = await store.social.createRequest(requestRecord(a, b, { createdAt: at(6) }));
        expect(second.created).toBe(true);
        expect(second.request.id).not.toBe(first.id);
      });

      test('resolveRequest moves a pending request once; later calls answer null', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        const request = requestRecord(a, b);
        await store.social.createRequest(request);
        expect(await store.social.resolveRequest(request.id, 'accepted', at(3))).toMatchObject({
          status: 'accepted',
          respondedAt: at(3),
        });
        expect(await store.social.resolveRequest(request.id, 'rejected', at(4))).toBeNull();
        expect(await store.social.getRequest(request.id)).toMatchObject({
          status: 'accepted',
          respondedAt: at(3),
        });
      });

      test('concurrent resolveRequest calls: exactly one wins', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        const request = requestRecord(a, b);
        await store.social.createRequest(request);
        const results = await Promise.all([
          store.social.resolveRequest(request.id, 'accepted', at(1)),
          store.social.resolveRequest(request.id, 'rejected', at(1)),
          store.social.resolveRequest(request.id, 'accepted', at(1)),
          store.social.resolveRequest(request.id, 'rejected', at(1)),
        ]);
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect((await store.social.getRequest(request.id))?.status).toBe(winners[0]?.status);
      });

      test('listPendingRequests: incoming and outgoing, newest first, paginated without repeats', async ({
        store,
      }) => {
        const me = ids.next();
        const incoming: FriendRequestRecord[] = [];
        for (let i = 0; i < 7; i++) {
          const request = requestRecord(ids.next(), me, { createdAt: at(i) });
          incoming.push(request);
          await store.social.createRequest(request);
        }
        const outgoing = requestRecord(me, ids.next(), { createdAt: at(50) });
        await store.social.createRequest(outgoing);
        // A resolved request is no longer listed.
        await store.social.resolveRequest(incoming[3]?.id ?? '', 'rejected', at(60));
        const expected = incoming
          .filter((_, i) => i !== 3)
          .reverse()
          .map((r) => r.id);
        const pages = await allPages((page) => store.social.listPendingRequests(me, 'incoming', page), 2);
        expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
        expect(pages.flat().map((r) => r.id)).toEqual(expected);
        expect(pages[0]?.[0]).toEqual(incoming[6]);
        const out = await store.social.listPendingRequests(me, 'outgoing', { limit: 10 });
        expect(out).toEqual({ items: [outgoing], hasMore: false, nextCursor: null });
      });

      test('listPendingRequests keeps its order when requests share a time', async ({ store }) => {
        const me = ids.next();
        for (let i = 0; i < 5; i++)
          await store.social.createRequest(requestRecord(ids.next(), me, { createdAt: at(1) }));
        const pages = await allPages((page) => store.social.listPendingRequests(me, 'incoming', page), 2);
        const seen = pages.flat().map((r) => r.id);
        expect(seen).toHaveLength(5);
        expect(new Set(seen).size).toBe(5);
      });

      test('deletePendingBetween drops pending requests both ways and nothing else', async ({ store }) => {
        const [a, b, c] = [ids.next(), ids.next(), ids.next()];
        const ab = requestRecord(a, b);
        const ba = requestRecord(b, a);
        const ac = requestRecord(a, c);
        const accepted = requestRecord(b, a, { createdAt: at(-10) });
        await store.social.createRequest(accepted);
        await store.social.resolveRequest(accepted.id, 'accepted', at(-5));
        for (const r of [ab, ba, ac]) await store.social.createRequest(r);
        expect(await store.social.deletePendingBetween(b, a)).toBe(2);
        expect(await store.social.getPendingRequest(a, b)).toBeNull();
        expect(await store.social.getPendingRequest(b, a)).toBeNull();
        expect(await store.social.getRequest(ab.id)).toBeNull();
        expect(await store.social.getPendingRequest(a, c)).toEqual(ac);
        expect(await store.social.getRequest(accepted.id)).toMatchObject({ status: 'accepted' });
        expect((await store.social.listPendingRequests(b, 'incoming', { limit: 10 })).items).toEqual([]);
        expect(await store.social.deletePendingBetween(a, b)).toBe(0);
      });

      test('addFriendship stores both sides once; removeFriendship removes both', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        expect(await store.social.addFriendship(a, b, at(10))).toBe(true);
        expect(await store.social.addFriendship(b, a, at(20))).toBe(false);
        expect((await store.social.getRelation(a, b)).friendship).toEqual({
          userId: a,
          friendId: b,
          since: at(10),
        });
        expect((await store.social.getRelation(b, a)).friendship).toEqual({
          userId: b,
          friendId: a,
          since: at(10),
        });
        expect(await store.social.listFriendIds(a)).toEqual([b]);
        expect(await store.social.listFriendIds(b)).toEqual([a]);
        expect(await store.social.removeFriendship(b, a)).toBe(true);
        expect(await store.social.removeFriendship(a, b)).toBe(false);
        expect((await store.social.getRelation(a, b)).friendship).toBeNull();
        expect((await store.social.getRelation(b, a)).friendship).toBeNull();
        expect(await store.social.listFriendIds(a)).toEqual([]);
        expect(await store.social.listFriendIds(b)).toEqual([]);
      });

      test('concurrent addFriendship calls: exactly one is true', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        const results = await Promise.all([
          store.social.addFriendship(a, b, at(1)),
          store.social.addFriendship(b, a, at(1)),
          store.social.addFriendship(a, b, at(1)),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.social.listFriendIds(a)).toEqual([b]);
        expect(await store.social.listFriendIds(b)).toEqual([a]);
      });

      test('listFriends: oldest first, paginated without repeats; listFriendIds has them all', async ({
        store,
      }) => {
        const me = ids.next();
        const friends = Array.from({ length: 5 }, () => ids.next());
        // Added out of order: the list follows `since`, not insertion.
        for (const i of [3, 0, 4, 1, 2]) await store.social.addFriendship(me, friends[i] ?? '', at(i * 10));
        const pages = await allPages((page) => store.social.listFriends(me, page), 2);
        expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
        expect(pages.flat()).toEqual(
          friends.map((friendId, i) => ({ userId: me, friendId, since: at(i * 10) })),
        );
        expect((await store.social.listFriendIds(me)).sort()).toEqual([...friends].sort());
        expect(await store.social.listFriendIds(friends[0] ?? '')).toEqual([me]);
      });

      test('listFriends pages stay consistent when friendships end between pages', async ({ store }) => {
        const me = ids.next();
        const friends = Array.from({ length: 4 }, () => ids.next());
        for (const [i, f] of friends.entries()) await store.social.addFriendship(me, f, at(i));
        const first = await store.social.listFriends(me, { limit: 2 });
        await store.social.removeFriendship(me, friends[0] ?? '');
        const second = await store.social.listFriends(me, {
          limit: 2,
          cursor: first.nextCursor ?? undefined,
        });
        expect(second.items.map((f) => f.friendId)).toEqual([friends[2], friends[3]]);
        expect(second.hasMore).toBe(false);
      });

      test('blocks: one-way, idempotent, shown by getRelation, lifted by removeBlock', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        expect(await store.social.addBlock({ blockerId: a, blockedId: b, createdAt: at(1) })).toBe(true);
        expect(await store.social.addBlock({ blockerId: a, blockedId: b, createdAt: at(2) })).toBe(false);
        expect(await store.social.getRelation(a, b)).toEqual({
          friendship: null,
          aBlocksB: true,
          bBlocksA: false,
        });
        expect(await store.social.getRelation(b, a)).toEqual({
          friendship: null,
          aBlocksB: false,
          bBlocksA: true,
        });
        expect((await store.social.listBlocks(a, { limit: 10 })).items).toEqual([
          { blockerId: a, blockedId: b, createdAt: at(1) },
        ]);
        expect((await store.social.listBlocks(b, { limit: 10 })).items).toEqual([]);
        expect(await store.social.removeBlock(b, a)).toBe(false);
        expect(await store.social.removeBlock(a, b)).toBe(true);
        expect(await store.social.removeBlock(a, b)).toBe(false);
        expect(await store.social.getRelation(a, b)).toEqual({
          friendship: null,
          aBlocksB: false,
          bBlocksA: false,
        });
      });

      test('a block does not touch the friendship', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        await store.social.addFriendship(a, b, at(1));
        await store.social.addBlock({ blockerId: b, blockedId: a, createdAt: at(2) });
        expect(await store.social.getRelation(a, b)).toEqual({
          friendship: { userId: a, friendId: b, since: at(1) },
          aBlocksB: false,
          bBlocksA: true,
        });
      });

      test('concurrent addBlock calls: exactly one is true', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        const results = await Promise.all(
          Array.from({ length: 5 }, () =>
            store.social.addBlock({ blockerId: a, blockedId: b, createdAt: at(1) }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.social.listBlocks(a, { limit: 10 })).items).toHaveLength(1);
      });

      test('listBlocks: newest first, paginated without repeats', async ({ store }) => {
        const me = ids.next();
        const blocked = Array.from({ length: 5 }, () => ids.next());
        for (const [i, id] of blocked.entries()) {
          await store.social.addBlock({ blockerId: me, blockedId: id, createdAt: at(i) });
        }
        const pages = await allPages((page) => store.social.listBlocks(me, page), 2);
        expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
        expect(pages.flat().map((b) => b.blockedId)).toEqual([...blocked].reverse());
      });

      test('filterBlockedEither answers the candidates blocked in either direction', async ({ store }) => {
        const [me, iBlock, blocksMe, both, neutral] = Array.from({ length: 5 }, () => ids.next()) as [
          string,
          string,
          string,
          string,
          string,
        ];
        await store.social.addBlock({ blockerId: me, blockedId: iBlock, createdAt: at(1) });
        await store.social.addBlock({ blockerId: blocksMe, blockedId: me, createdAt: at(1) });
        await store.social.addBlock({ blockerId: me, blockedId: both, createdAt: at(1) });
        await store.social.addBlock({ blockerId: both, blockedId: me, createdAt: at(1) });
        // A block between two others is not about `me`.
        await store.social.addBlock({ blockerId: iBlock, blockedId: neutral, createdAt: at(1) });
        const hidden = await store.social.filterBlockedEither(me, [
          iBlock,
          blocksMe,
          both,
          neutral,
          'not-an-id',
        ]);
        expect([...hidden].sort()).toEqual([iBlock, blocksMe, both].sort());
        expect(await store.social.filterBlockedEither(neutral, [me])).toEqual(new Set());
      });

      test('answers are copies: mutating them changes nothing stored', async ({ store }) => {
        const [a, b] = [ids.next(), ids.next()];
        const request = requestRecord(a, b);
        const created = await store.social.createRequest(request);
        created.request.status = 'accepted';
        request.toId = 'mutated';
        const got = await store.social.getRequest(request.id);
        if (got) got.message = 'mutated';
        const pending = await store.social.getPendingRequest(a, b);
        if (pending) pending.createdAt.setTime(0);
        const [listed] = (await store.social.listPendingRequests(b, 'incoming', { limit: 1 })).items;
        if (listed) listed.status = 'rejected';
        expect(await store.social.getRequest(request.id)).toMatchObject({
          status: 'pending',
          toId: b,
          message: null,
          createdAt: at(0),
        });
        await store.social.addFriendship(a, b, at(1));
        const relation = await store.social.getRelation(a, b);
        relation.friendship?.since.setTime(0);
        const [friend] = (await store.social.listFriends(a, { limit: 1 })).items;
        if (friend) friend.friendId = 'mutated';
        const friendIds = await store.social.listFriendIds(a);
        friendIds.push('mutated');
        expect((await store.social.getRelation(a, b)).friendship).toEqual({
          userId: a,
          friendId: b,
          since: at(1),
        });
        expect(await store.social.listFriendIds(a)).toEqual([b]);
        const block = { blockerId: a, blockedId: b, createdAt: at(2) };
        await store.social.addBlock(block);
        block.blockedId = 'mutated';
        const [listedBlock] = (await store.social.listBlocks(a, { limit: 1 })).items;
        if (listedBlock) listedBlock.createdAt.setTime(0);
        expect((await store.social.listBlocks(a, { limit: 1 })).items).toEqual([
          { blockerId: a, blockedId: b, createdAt: at(2) },
        ]);
      });
    },
  );
}
