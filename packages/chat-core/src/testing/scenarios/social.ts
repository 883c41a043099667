import { expect } from 'vitest';
import { memoryPresence } from '../../ports/presence.js';
import { countingStore } from '../counting-store.js';
import type { ScenarioContext, TestUser } from '../fixtures.js';
import type { ConformanceOptions } from '../harness.js';
import { expectRefusal } from './refusals.js';
import { defineScenarios, engineOver } from './scenario-area.js';

const MINUTE = 60_000;

/** Everything the social area keeps about two users, to check that a refusal changed nothing. */
async function socialState(ctx: ScenarioContext, a: TestUser, b: TestUser) {
  const e = ctx.engine;
  const [friendsA, friendsB, inA, outA, inB, outB, blocksA, blocksB] = await Promise.all([
    e.friends.list(a.id),
    e.friends.list(b.id),
    e.friends.listRequests(a.id, { direction: 'incoming' }),
    e.friends.listRequests(a.id, { direction: 'outgoing' }),
    e.friends.listRequests(b.id, { direction: 'incoming' }),
    e.friends.listRequests(b.id, { direction: 'outgoing' }),
    e.blacklist.list(a.id),
    e.blacklist.list(b.id),
  ]);
  return { friendsA, friendsB, inA, outA, inB, outB, blocksA, blocksB };
}

/**
 * Runs each refused call in turn and checks its code, that no event went out and that nothing
 * changed: every call is judged on its own against the state just before it.
 */
async function refusedWithoutChange(
  ctx: ScenarioContext,
  pair: [TestUser, TestUser],
  code: Parameters<typeof expectRefusal>[1],
  ...calls: Array<() => Promise<unknown>>
): Promise<void> {
  for (const call of calls) {
    const before = await socialState(ctx, ...pair);
    const events = ctx.events.length;
    await expectRefusal(call(), code);
    expect(ctx.events.slice(events).map((e) => e.name)).toEqual([]);
    expect(await socialState(ctx, ...pair)).toEqual(before);
  }
}

/** An engine over the scenario's store with its own presence, for tests that drive presence. */
function engineWithPresence(ctx: ScenarioContext) {
  const presence = memoryPresence();
  return { presence, engine: engineOver(ctx, { presence }) };
}

/** Engine-level scenarios of the social area. */
export function socialScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.social', options, (test) => {
    // ── requests ───────────────────────────────────────────────────────────────────────────
    test('a friend request reaches its target with friend_request and is listed both ways', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      const { request, friend } = await ctx.engine.friends.sendRequest(a.id, {
        userId: b.id,
        message: '  hi Ben ',
      });
      expect(friend).toBeUndefined();
      expect(request).toMatchObject({
        fromId: a.id,
        toId: b.id,
        from: { id: a.id, nickname: 'Ann' },
        to: { id: b.id, nickname: 'Ben' },
        message: 'hi Ben',
        status: 'pending',
        respondedAt: null,
        createdAt: ctx.clock.now().toISOString(),
      });
      expect(request.from).not.toHaveProperty('email');
      const events = ctx.eventsNamed('friend_request');
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toEqual(request);
      expect(events[0]?.audience).toEqual({ users: [b.id] });
      expect((await ctx.engine.friends.listRequests(b.id)).items).toEqual([request]);
      expect((await ctx.engine.friends.listRequests(b.id, { direction: 'incoming' })).items).toEqual([
        request,
      ]);
      expect((await ctx.engine.friends.listRequests(a.id, { direction: 'outgoing' })).items).toEqual([
        request,
      ]);
      expect((await ctx.engine.friends.listRequests(a.id)).items).toEqual([]);
    });

    test('a request by email (any case) works; an unknown user or email is NOT_FOUND', async (ctx) => {
      const a = await ctx.user('Cara');
      const b = await ctx.user('Dan');
      await refusedWithoutChange(
        ctx,
        [a, b],
        'NOT_FOUND',
        () => ctx.engine.friends.sendRequest(a.id, { userId: 'no-such-user' }),
        () => ctx.engine.friends.sendRequest(a.id, { email: 'nobody.here@example.test' }),
      );
      const { request } = await ctx.engine.friends.sendRequest(a.id, {
        email: ` ${b.email.toUpperCase()} `,
      });
      expect(request.toId).toBe(b.id);
    });

    test('no request to oneself (VALIDATION_FAILED), by id or by email', async (ctx) => {
      const a = await ctx.user('Solo');
      const b = await ctx.user('Other');
      await refusedWithoutChange(
        ctx,
        [a, b],
        'VALIDATION_FAILED',
        () => ctx.engine.friends.sendRequest(a.id, { userId: a.id }),
        () => ctx.engine.friends.sendRequest(a.id, { email: a.email }),
      );
    });

    test('send-request refuses malformed input with VALIDATION_FAILED', async (ctx) => {
      const a = await ctx.user('Picky');
      const b = await ctx.user('Target');
      for (const input of [
        {},
        { userId: '' },
        { email: 'not-an-email' },
        { userId: b.id, message: 'm'.repeat(201) },
      ]) {
        await refusedWithoutChange(ctx, [a, b], 'VALIDATION_FAILED', () =>
          ctx.engine.friends.sendRequest(a.id, input as never),
        );
      }
    });

    test('no request to an existing friend (ALREADY_FRIENDS)', async (ctx) => {
      const a = await ctx.user('Old');
      const b = await ctx.user('Pal');
      await ctx.befriend(a, b);
      await refusedWithoutChange(
        ctx,
        [a, b],
        'ALREADY_FRIENDS',
        () => ctx.engine.friends.sendRequest(a.id, { userId: b.id }),
        () => ctx.engine.friends.sendRequest(b.id, { email: a.email }),
      );
    });

    test('no request across a block, whichever side blocked (BLOCKED)', async (ctx) => {
      const a = await ctx.user('Blocker');
      const b = await ctx.user('Blocked');
      await ctx.engine.blacklist.add(a.id, { userId: b.id });
      await refusedWithoutChange(
        ctx,
        [a, b],
        'BLOCKED',
        () => ctx.engine.friends.sendRequest(b.id, { userId: a.id }),
        () => ctx.engine.friends.sendRequest(a.id, { userId: b.id }),
        () => ctx.engine.friends.sendRequest(b.id, { email: a.email }),
      );
    });

    test('a second request while one is pending answers the pending one, without a second event', async (ctx) => {
      const a = await ctx.user('Eager');
      const b = await ctx.user('Busy');
      const first = await ctx.engine.friends.sendRequest(a.id, { userId: b.id, message: 'first' });
      const second = await ctx.engine.friends.sendRequest(a.id, { userId: b.id, message: 'second' });
      expect(second.request).toEqual(first.request);
      expect(ctx.eventsNamed('friend_request')).toHaveLength(1);
      expect((await ctx.engine.friends.listRequests(b.id)).items).toHaveLength(1);
    });

    test('a request to someone who already asked you makes you friends at once', async (ctx) => {
      const a = await ctx.user('Asker');
      const b = await ctx.user('Answerer');
      const { request: theirs } = await ctx.engine.friends.sendRequest(a.id, { userId: b.id });
      const result = await ctx.engine.friends.sendRequest(b.id, { userId: a.id });
      expect(result.request).toMatchObject({ id: theirs.id, fromId: a.id, toId: b.id, status: 'accepted' });
      expect(result.request.respondedAt).toBe(ctx.clock.now().toISOString());
      expect(result.friend).toMatchObject({ user: { id: a.id }, since: ctx.clock.now().toISOString() });
      const accepted = ctx.eventsNamed('friend_request_accepted');
      expect(accepted).toHaveLength(1);
      expect(accepted[0]?.payload).toEqual(result.request);
      expect(accepted[0]?.audience).toEqual({ users: [a.id] });
      expect(ctx.eventsNamed('friend_request')).toHaveLength(1);
      expect((await ctx.engine.friends.list(a.id)).items.map((f) => f.user.id)).toEqual([b.id]);
      expect((await ctx.engine.friends.list(b.id)).items.map((f) => f.user.id)).toEqual([a.id]);
      expect((await ctx.engine.friends.listRequests(b.id)).items).toEqual([]);
      expect((await ctx.engine.friends.listRequests(a.id, { direction: 'outgoing' })).items).toEqual([]);
    });

    // ── accept and reject ──────────────────────────────────────────────────────────────────
    test('the recipient accepts: both are friends and the requester gets friend_request_accepted', async (ctx) => {
      const a = await ctx.user('Req');
      const b = await ctx.user('Rec');
      const { request } = await ctx.engine.friends.sendRequest(a.id, { userId: b.id });
      ctx.clock.advance(MINUTE);
      const { friend } = await ctx.engine.friends.accept(b.id, request.id);
      expect(friend).toMatchObject({
        user: { id: a.id, nickname: 'Req' },
        online: false,
        lastSeenAt: null,
        since: ctx.clock.now().toISOString(),
      });
      const events = ctx.eventsNamed('friend_request_accepted');
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toMatchObject({
        id: request.id,
        status: 'accepted',
        fromId: a.id,
        toId: b.id,
      });
      expect(events[0]?.audience).toEqual({ users: [a.id] });
      expect((await ctx.engine.friends.list(a.id)).items.map((f) => f.user.id)).toEqual([b.id]);
      expect((await ctx.engine.friends.list(b.id)).items.map((f) => f.user.id)).toEqual([a.id]);
      expect((await ctx.engine.friends.listRequests(b.id)).items).toEqual([]);
    });

    test('only the recipient accepts or rejects; anyone else gets NOT_FOUND and nothing moves', async (ctx) => {
      const a = await ctx.user('From');
      const b = await ctx.user('To');
      const c = await ctx.user('Nosy');
      const { request } = await ctx.engine.friends.sendRequest(a.id, { userId: b.id });
      for (const actor of [a, c]) {
        await refusedWithoutChange(
          ctx,
          [a, b],
          'NOT_FOUND',
          () => ctx.engine.friends.accept(actor.id, request.id),
          () => ctx.engine.friends.reject(actor.id, request.id),
        );
      }
      await refusedWithoutChange(
        ctx,
        [a, b],
        'NOT_FOUND',
        () => ctx.engine.friends.accept(b.id, 'no-such-request'),
        () => ctx.engine.friends.reject(b.id, 'no-such-request'),
      );
      await refusedWithoutChange(
        ctx,
        [a, b],
        'VALIDATION_FAILED',
        () => ctx.engine.friends.accept(b.id, ''),
        () => ctx.engine.friends.reject(b.id, ''),
      );
      await ctx.engine.friends.accept(b.id, request.id);
    });

    test('a request that is no longer pending cannot be accepted or rejected (NOT_FOUND)', async (ctx) => {
      const a = await ctx.user('Twice');
      const b = await ctx.user('Once');
      const { request } = await ctx.engine.friends.sendRequest(a.id, { userId: b.id });
      await ctx.engine.friends.accept(b.id, request.id);
      await refusedWithoutChange(
        ctx,
        [a, b],
        'NOT_FOUND',
        () => ctx.engine.friends.accept(b.id, request.id),
        () => ctx.engine.friends.reject(b.id, request.id),
      );
      const c = await ctx.user('Third');
      const { request: other } = await ctx.engine.friends.sendRequest(c.id, { userId: b.id });
      await ctx.engine.friends.reject(b.id, other.id);
      await refusedWithoutChange(ctx, [c, b], 'NOT_FOUND', () => ctx.engine.friends.accept(b.id, other.id));
    });

    test('concurrent accepts of one request: one wins, one friendship, one event', async (ctx) => {
      const a = await ctx.user('Racer');
      const b = await ctx.user('Clicker');
      const { request } = await ctx.engine.friends.sendRequest(a.id, { userId: b.id });
      const results = await Promise.allSettled([
        ctx.engine.friends.accept(b.id, request.id),
        ctx.engine.friends.accept(b.id, request.id),
        ctx.engine.friends.reject(b.id, request.id),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const outcomes = ctx.events.filter(
        (e) => e.name === 'friend_request_accepted' || e.name === 'friend_request_rejected',
      );
      expect(outcomes).toHaveLength(1);
      const friends = (await ctx.engine.friends.list(a.id)).items;
      expect(friends).toHaveLength(outcomes[0]?.name === 'friend_request_accepted' ? 1 : 0);
    });

    test('the recipient rejects: the requester gets friend_request_rejected, no friendship, may ask again', async (ctx) => {
      const a = await ctx.user('Hopeful');
      const b = await ctx.user('Picky');
      const { request } = await ctx.engine.friends.sendRequest(a.id, { userId: b.id });
      expect(await ctx.engine.friends.reject(b.id, request.id)).toBeUndefined();
      const events = ctx.eventsNamed('friend_request_rejected');
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toMatchObject({ id: request.id, status: 'rejected', fromId: a.id });
      expect(events[0]?.audience).toEqual({ users: [a.id] });
      expect((await ctx.engine.friends.list(a.id)).items).toEqual([]);
      expect((await ctx.engine.friends.listRequests(b.id)).items).toEqual([]);
      const again = await ctx.engine.friends.sendRequest(a.id, { userId: b.id });
      expect(again.request.id).not.toBe(request.id);
      expect(again.request.status).toBe('pending');
    });

    test('listRequests pages newest first and refuses a bad direction or limit', async (ctx) => {
      const me = await ctx.user('Popular');
      const senders: TestUser[] = [];
      for (let i = 0; i < 3; i++) {
        const s = await ctx.user(`Fan${i}`);
        senders.push(s);
        await ctx.engine.friends.sendRequest(s.id, { userId: me.id });
        ctx.clock.advance(1000);
      }
      const first = await ctx.engine.friends.listRequests(me.id, { limit: 2 });
      expect(first.items.map((r) => r.fromId)).toEqual([senders[2]?.id, senders[1]?.id]);
      expect(first.hasMore).toBe(true);
      const second = await ctx.engine.friends.listRequests(me.id, {
        limit: 2,
        cursor: first.nextCursor ?? undefined,
      });
      expect(second).toMatchObject({ hasMore: false, nextCursor: null });
      expect(second.items.map((r) => r.fromId)).toEqual([senders[0]?.id]);
      await expectRefusal(
        ctx.engine.friends.listRequests(me.id, { direction: 'sideways' as never }),
        'VALIDATION_FAILED',
      );
      await expectRefusal(ctx.engine.friends.listRequests(me.id, { limit: 101 }), 'VALIDATION_FAILED');
    });

    // ── friends ────────────────────────────────────────────────────────────────────────────
    test('the friends list shows online state and last seen time from presence, oldest friendship first', async (ctx) => {
      const { presence, engine } = engineWithPresence(ctx);
      const me = await ctx.user('Hub');
      const online = await ctx.user('Online');
      const away = await ctx.user('Away');
      const never = await ctx.user('Never');
      for (const f of [online, away, never]) {
        await ctx.befriend(me, f);
        ctx.clock.advance(1000);
      }
      await presence.connect(online.id, 'conn-1', ctx.clock.now());
      await presence.connect(away.id, 'conn-2', ctx.clock.now());
      const leftAt = new Date(ctx.clock.now().getTime() + 5000);
      await presence.disconnect(away.id, 'conn-2', leftAt);
      // Seen before this node started: the stored lastSeenAt is the fallback.
      const storedSeen = new Date(ctx.clock.now().getTime() - 60_000);
      await ctx.store.users.update(never.id, { lastSeenAt: storedSeen });
      const { items } = await engine.friends.list(me.id);
      expect(items.map((f) => [f.user.id, f.online, f.lastSeenAt])).toEqual([
        [online.id, true, null],
        [away.id, false, leftAt.toISOString()],
        [never.id, false, storedSeen.toISOString()],
      ]);
      await engine.close();
    });

    test('the friends list shows no presence across a block, whichever side blocked', async (ctx) => {
      const { presence, engine } = engineWithPresence(ctx);
      const me = await ctx.user('Hub');
      const blocked = await ctx.user('Blocked');
      const blocker = await ctx.user('Blocker');
      for (const f of [blocked, blocker]) {
        await ctx.befriend(me, f);
        ctx.clock.advance(1000);
        await presence.connect(f.id, `conn-${f.id}`, ctx.clock.now());
      }
      await presence.connect(me.id, 'conn-me', ctx.clock.now());
      await engine.blacklist.add(me.id, { userId: blocked.id });
      await engine.blacklist.add(blocker.id, { userId: me.id });
      const mine = await engine.friends.list(me.id);
      expect(mine.items.map((f) => [f.user.id, f.online, f.lastSeenAt])).toEqual([
        [blocked.id, false, null],
        [blocker.id, false, null],
      ]);
      const theirs = await engine.friends.list(blocked.id);
      expect(theirs.items.map((f) => [f.user.id, f.online])).toEqual([[me.id, false]]);
      await engine.close();
    });

    test('the friends list pages by cursor and reads users in one batched call per page', async (ctx) => {
      const me = await ctx.user('Many');
      const friends: TestUser[] = [];
      for (let i = 0; i < 5; i++) {
        const f = await ctx.user(`Buddy${i}`);
        friends.push(f);
        await ctx.befriend(me, f);
        ctx.clock.advance(1000);
      }
      const { store, counts } = countingStore(ctx.store);
      const engine = engineOver(ctx, { store });
      const first = await engine.friends.list(me.id, { limit: 3 });
      expect(counts.get('users.getById') ?? 0).toBe(0);
      expect(counts.get('users.getByIds')).toBe(1);
      expect(first.items.map((f) => f.user.id)).toEqual(friends.slice(0, 3).map((f) => f.id));
      expect(first.hasMore).toBe(true);
      const second = await engine.friends.list(me.id, { limit: 3, cursor: first.nextCursor ?? undefined });
      expect(second.items.map((f) => f.user.id)).toEqual(friends.slice(3).map((f) => f.id));
      expect(second).toMatchObject({ hasMore: false, nextCursor: null });
      expect(counts.get('users.getByIds')).toBe(2);
      await expectRefusal(engine.friends.list(me.id, { limit: 0 }), 'VALIDATION_FAILED');
      await engine.close();
    });

    test('removing a friend ends it on both sides; the other gets friend_removed', async (ctx) => {
      const a = await ctx.user('Leaver');
      const b = await ctx.user('Left');
      await ctx.befriend(a, b);
      expect(await ctx.engine.friends.remove(a.id, b.id)).toBeUndefined();
      expect((await ctx.engine.friends.list(a.id)).items).toEqual([]);
      expect((await ctx.engine.friends.list(b.id)).items).toEqual([]);
      const events = ctx.eventsNamed('friend_removed');
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toEqual({
        userId: a.id,
        user: await ctx.engine.users.getProfile(b.id, a.id),
      });
      expect(events[0]?.audience).toEqual({ users: [b.id] });
      // Either may ask again afterwards.
      await ctx.engine.friends.sendRequest(b.id, { userId: a.id });
    });

    test('removing someone who is not a friend is NOT_FOUND and changes nothing', async (ctx) => {
      const a = await ctx.user('Lonely');
      const b = await ctx.user('Stranger');
      await refusedWithoutChange(
        ctx,
        [a, b],
        'NOT_FOUND',
        () => ctx.engine.friends.remove(a.id, b.id),
        () => ctx.engine.friends.remove(a.id, 'no-such-user'),
      );
      await refusedWithoutChange(ctx, [a, b], 'VALIDATION_FAILED', () => ctx.engine.friends.remove(a.id, ''));
      await ctx.befriend(a, b);
      await ctx.engine.friends.remove(b.id, a.id);
      await refusedWithoutChange(ctx, [a, b], 'NOT_FOUND', () => ctx.engine.friends.remove(a.id, b.id));
    });

    // ── blacklist ──────────────────────────────────────────────────────────────────────────
    test('blocking drops pending requests both ways, keeps the friendship, and is silent', async (ctx) => {
      const a = await ctx.user('Guard');
      const b = await ctx.user('Pest');
      const c = await ctx.user('Friend');
      const { request: ab } = await ctx.engine.friends.sendRequest(a.id, { userId: b.id });
      await ctx.befriend(a, c);
      const { request: ca } = await ctx.engine.friends.sendRequest(c.id, { userId: b.id });
      const events = ctx.events.length;
      expect(await ctx.engine.blacklist.add(b.id, { userId: a.id })).toBeUndefined();
      // Only the request from a third person is left.
      expect((await ctx.engine.friends.listRequests(b.id)).items.map((r) => r.id)).toEqual([ca.id]);
      expect((await ctx.engine.friends.listRequests(a.id, { direction: 'outgoing' })).items).toEqual([]);
      await expectRefusal(ctx.engine.friends.accept(b.id, ab.id), 'NOT_FOUND');
      // A request from a third person is untouched.
      expect(
        (await ctx.engine.friends.listRequests(c.id, { direction: 'outgoing' })).items.map((r) => r.id),
      ).toEqual([ca.id]);
      await ctx.engine.blacklist.add(c.id, { userId: a.id });
      expect((await ctx.engine.friends.list(a.id)).items.map((f) => f.user.id)).toEqual([c.id]);
      expect((await ctx.engine.friends.list(c.id)).items.map((f) => f.user.id)).toEqual([a.id]);
      expect(ctx.events.slice(events)).toEqual([]);
      // The other way round: blocking someone you asked drops your own request.
      const d = await ctx.user('Regretful');
      await ctx.engine.friends.sendRequest(d.id, { userId: b.id });
      await ctx.engine.blacklist.add(d.id, { userId: b.id });
      expect((await ctx.engine.friends.listRequests(b.id)).items.map((r) => r.id)).toEqual([ca.id]);
      expect((await ctx.engine.friends.listRequests(d.id, { direction: 'outgoing' })).items).toEqual([]);
    });

    test('blocking is idempotent and listed newest first with public profiles', async (ctx) => {
      const me = await ctx.user('Strict');
      const x = await ctx.user('Xavier');
      const y = await ctx.user('Yolanda');
      await ctx.engine.blacklist.add(me.id, { userId: x.id });
      ctx.clock.advance(1000);
      await ctx.engine.blacklist.add(me.id, { userId: y.id });
      ctx.clock.advance(1000);
      await ctx.engine.blacklist.add(me.id, { userId: x.id });
      const list = await ctx.engine.blacklist.list(me.id);
      expect(list).toMatchObject({ hasMore: false, nextCursor: null });
      expect(list.items.map((u) => u.id)).toEqual([y.id, x.id]);
      expect(list.items[0]).toEqual(await ctx.engine.users.getProfile(me.id, y.id));
      const page = await ctx.engine.blacklist.list(me.id, { limit: 1 });
      expect(page.items.map((u) => u.id)).toEqual([y.id]);
      const rest = await ctx.engine.blacklist.list(me.id, {
        limit: 1,
        cursor: page.nextCursor ?? undefined,
      });
      expect(rest.items.map((u) => u.id)).toEqual([x.id]);
      expect((await ctx.engine.blacklist.list(x.id)).items).toEqual([]);
      await expectRefusal(ctx.engine.blacklist.list(me.id, { limit: 500 }), 'VALIDATION_FAILED');
    });

    test('blacklist add refuses oneself (VALIDATION_FAILED), unknown users (NOT_FOUND) and bad input', async (ctx) => {
      const a = await ctx.user('Self');
      const b = await ctx.user('Bystander');
      await refusedWithoutChange(ctx, [a, b], 'VALIDATION_FAILED', () =>
        ctx.engine.blacklist.add(a.id, { userId: a.id }),
      );
      await refusedWithoutChange(ctx, [a, b], 'NOT_FOUND', () =>
        ctx.engine.blacklist.add(a.id, { userId: 'no-such-user' }),
      );
      await refusedWithoutChange(ctx, [a, b], 'VALIDATION_FAILED', () =>
        ctx.engine.blacklist.add(a.id, {} as never),
      );
    });

    test('lifting a block: NOT_FOUND when there is none; afterwards requests flow again', async (ctx) => {
      const a = await ctx.user('Forgiving');
      const b = await ctx.user('Forgiven');
      await refusedWithoutChange(ctx, [a, b], 'NOT_FOUND', () => ctx.engine.blacklist.remove(a.id, b.id));
      await ctx.engine.blacklist.add(a.id, { userId: b.id });
      // Only the blocker can lift it.
      await refusedWithoutChange(ctx, [a, b], 'NOT_FOUND', () => ctx.engine.blacklist.remove(b.id, a.id));
      await refusedWithoutChange(ctx, [a, b], 'VALIDATION_FAILED', () =>
        ctx.engine.blacklist.remove(a.id, ''),
      );
      expect(await ctx.engine.blacklist.remove(a.id, b.id)).toBeUndefined();
      expect((await ctx.engine.blacklist.list(a.id)).items).toEqual([]);
      await refusedWithoutChange(ctx, [a, b], 'NOT_FOUND', () => ctx.engine.blacklist.remove(a.id, b.id));
      const { request } = await ctx.engine.friends.sendRequest(b.id, { userId: a.id });
      await ctx.engine.friends.accept(a.id, request.id);
    });

    test('while blocked either way, a friend cannot re-request and the blocked one cannot see the profile', async (ctx) => {
      const a = await ctx.user('Quiet');
      const b = await ctx.user('Loud');
      await ctx.befriend(a, b);
      await ctx.engine.blacklist.add(a.id, { userId: b.id });
      await expectRefusal(ctx.engine.users.getProfile(b.id, a.id), 'NOT_FOUND');
      await ctx.engine.users.getProfile(a.id, b.id);
      await ctx.engine.friends.remove(b.id, a.id);
      await refusedWithoutChange(ctx, [a, b], 'BLOCKED', () =>
        ctx.engine.friends.sendRequest(b.id, { userId: a.id }),
      );
    });
  });
}
