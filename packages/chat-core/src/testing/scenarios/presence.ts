import { expect, vi } from 'vitest';
import type { ChatEngine } from '../../engine.js';
import type { ChatEventMap } from '../../events.js';
import type { ConformanceOptions } from '../harness.js';
import { expectCode, groupOf, historyOf } from './group-helpers.js';
import { defineScenarios } from './scenario-area.js';

/** Resolves with the next `user_presence` of `userId` the engine emits. */
function nextPresence(engine: ChatEngine, userId: string): Promise<ChatEventMap['user_presence']> {
  return new Promise((resolve) => {
    const listener = (payload: ChatEventMap['user_presence']) => {
      if (payload.userId !== userId) return;
      engine.events.off('user_presence', listener);
      resolve(payload);
    };
    engine.events.on('user_presence', listener);
  });
}

/** Engine-level scenarios of presence and typing. */
export function presenceScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.presence', options, (test) => {
    test('the first connection tells friends the user is online; more connections tell nobody', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      await ctx.user('Stranger');
      await ctx.befriend(alice, bob);
      await ctx.befriend(alice, carol);
      await ctx.engine.presence.connected(alice.id, 'a-1');
      const online = ctx.eventsNamed('user_presence');
      expect(online).toHaveLength(1);
      expect(online[0]?.payload).toEqual({ userId: alice.id, status: 'online' });
      expect([...(online[0]?.audience.users ?? [])].sort()).toEqual([bob.id, carol.id].sort());
      expect(online[0]?.audience.groups).toBeUndefined();
      await ctx.engine.presence.connected(alice.id, 'a-2');
      expect(ctx.eventsNamed('user_presence')).toHaveLength(1);
      expect((await ctx.engine.presence.statusOf([alice.id])).get(alice.id)?.online).toBe(true);
    });

    test('the last connection closing tells friends the user is offline, with lastSeenAt stored', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      await ctx.befriend(alice, bob);
      await ctx.engine.presence.connected(alice.id, 'a-1');
      await ctx.engine.presence.connected(alice.id, 'a-2');
      ctx.clock.advance(5000);
      await ctx.engine.presence.disconnected(alice.id, 'a-1');
      expect(ctx.eventsNamed('user_presence')).toHaveLength(1);
      // Forgetting an unknown connection changes nothing.
      await ctx.engine.presence.disconnected(alice.id, 'never-seen');
      expect(ctx.eventsNamed('user_presence')).toHaveLength(1);
      const at = ctx.clock.now();
      await ctx.engine.presence.disconnected(alice.id, 'a-2');
      const offline = ctx.eventsNamed('user_presence').at(-1);
      expect(offline?.payload).toEqual({
        userId: alice.id,
        status: 'offline',
        lastSeenAt: at.toISOString(),
      });
      expect(offline?.audience.users).toEqual([bob.id]);
      if (ctx.probes) expect((await ctx.probes.user(alice.id))?.lastSeenAt).toEqual(at);
      expect((await ctx.store.users.getById(alice.id))?.lastSeenAt).toEqual(at);
      const status = await ctx.engine.presence.statusOf([alice.id, bob.id]);
      expect(status.get(alice.id)).toEqual({ online: false, lastSeenAt: at });
      expect(status.get(bob.id)).toEqual({ online: false, lastSeenAt: null });
      expect((await ctx.engine.presence.statusOf([])).size).toBe(0);
    });

    test('a user without friends comes and goes without any event', async (ctx) => {
      const loner = await ctx.user('Loner');
      await ctx.user('Other');
      await ctx.engine.presence.connected(loner.id, 'l-1');
      await ctx.engine.presence.disconnected(loner.id, 'l-1');
      expect(ctx.eventsNamed('user_presence')).toEqual([]);
      expect((await ctx.store.users.getById(loner.id))?.lastSeenAt).toEqual(ctx.clock.now());
    });

    test('presence never crosses a block, whichever side blocked', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const dave = await ctx.user('Dave');
      await ctx.befriend(alice, bob);
      await ctx.befriend(alice, carol);
      await ctx.befriend(alice, dave);
      await ctx.engine.blacklist.add(bob.id, { userId: alice.id });
      await ctx.engine.blacklist.add(alice.id, { userId: carol.id });
      await ctx.engine.presence.connected(alice.id, 'a-1');
      await ctx.engine.presence.disconnected(alice.id, 'a-1');
      const events = ctx.eventsNamed('user_presence');
      expect(events.map((e) => e.payload.status)).toEqual(['online', 'offline']);
      for (const e of events) expect(e.audience.users).toEqual([dave.id]);
      // Nor the other way: Bob's presence does not reach Alice.
      await ctx.engine.presence.connected(bob.id, 'b-1');
      expect(ctx.eventsNamed('user_presence')).toHaveLength(2);
    });

    test('with a grace period, a quick reconnect tells friends nothing; a real leave is told after it', async (ctx) => {
      // A short real grace: the reconnect below happens without yielding to timers, so well within it.
      const engine = ctx.withConfig({ presenceGraceMs: 40 });
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      await ctx.befriend(alice, bob);
      await engine.presence.connected(alice.id, 'a-1');
      const firstLeftAt = ctx.clock.now();
      await engine.presence.disconnected(alice.id, 'a-1');
      expect(ctx.eventsNamed('user_presence').map((e) => e.payload.status)).toEqual(['online']);
      // Back within the grace: no offline, and no second online either.
      await engine.presence.connected(alice.id, 'a-2');
      expect(ctx.eventsNamed('user_presence').map((e) => e.payload.status)).toEqual(['online']);

      ctx.clock.advance(60_000);
      const leftAt = ctx.clock.now();
      const offline = nextPresence(engine, alice.id);
      await engine.presence.disconnected(alice.id, 'a-2');
      expect(ctx.eventsNamed('user_presence')).toHaveLength(1);
      // Had the first leave not been called off, its broadcast (with the first time) would come first.
      const told = await offline;
      expect(told).toEqual({ userId: alice.id, status: 'offline', lastSeenAt: leftAt.toISOString() });
      expect(told.lastSeenAt).not.toBe(firstLeftAt.toISOString());
      expect(ctx.eventsNamed('user_presence').map((e) => e.payload.status)).toEqual(['online', 'offline']);
      expect((await ctx.store.users.getById(alice.id))?.lastSeenAt).toEqual(leftAt);
    });

    test('closing presence cancels pending offline broadcasts', async (ctx) => {
      const engine = ctx.withConfig({ presenceGraceMs: 60_000 });
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      await ctx.befriend(alice, bob);
      await engine.presence.connected(alice.id, 'a-1');
      // Only the grace timer is faked, and only while no store call is in flight.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        await engine.presence.disconnected(alice.id, 'a-1');
        expect(vi.getTimerCount()).toBe(1);
        engine.presence.close();
        expect(vi.getTimerCount()).toBe(0);
      } finally {
        vi.useRealTimers();
      }
      expect(ctx.eventsNamed('user_presence').map((e) => e.payload.status)).toEqual(['online']);
    });

    test('typing to a friend reaches only that friend, and is never stored', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      await ctx.befriend(alice, bob);
      await ctx.engine.presence.typing(alice.id, { to: bob.id, isTyping: true }, { connectionId: 'a-1' });
      await ctx.engine.presence.typing(alice.id, { to: bob.id, isTyping: false });
      const events = ctx.eventsNamed('typing_status_update');
      expect(events.map((e) => e.payload)).toEqual([
        { from: alice.id, isTyping: true },
        { from: alice.id, isTyping: false },
      ]);
      for (const e of events) expect(e.audience.users).toEqual([bob.id]);
      const page = await ctx.engine.messages.privateHistory(alice.id, bob.id);
      expect(page.messages).toEqual([]);
    });

    test('typing to a user is refused to strangers, across blocks, to unknown users and for bad input', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const stranger = await ctx.user('Stranger');
      const blocker = await ctx.user('Blocker');
      const blocked = await ctx.user('Blocked');
      await ctx.befriend(alice, bob);
      await ctx.befriend(alice, blocker);
      await ctx.befriend(alice, blocked);
      await ctx.engine.blacklist.add(blocker.id, { userId: alice.id });
      await ctx.engine.blacklist.add(alice.id, { userId: blocked.id });
      const typing = (input: unknown) =>
        ctx.engine.presence.typing(alice.id, input as { to: string; isTyping: boolean });
      await expectCode(typing({ to: stranger.id, isTyping: true }), 'NOT_FRIENDS');
      await expectCode(typing({ to: blocker.id, isTyping: true }), 'BLOCKED');
      await expectCode(typing({ to: blocked.id, isTyping: true }), 'BLOCKED');
      await expectCode(typing({ to: '0123456789abcdef01234567', isTyping: true }), 'NOT_FOUND');
      await expectCode(typing({ to: alice.id, isTyping: true }), 'VALIDATION_FAILED');
      await expectCode(typing({ to: bob.id }), 'VALIDATION_FAILED');
      await expectCode(typing({ to: bob.id, isTyping: 'yes' }), 'VALIDATION_FAILED');
      await expectCode(typing({ isTyping: true }), 'VALIDATION_FAILED');
      await expectCode(typing({ to: '', isTyping: true }), 'VALIDATION_FAILED');
      await expectCode(typing(null), 'VALIDATION_FAILED');
      expect(ctx.eventsNamed('typing_status_update')).toEqual([]);
      // Under the `anyone` policy strangers may see typing; blocks still hold.
      const open = ctx.withConfig({ privateMessagePolicy: 'anyone' });
      await open.presence.typing(alice.id, { to: stranger.id, isTyping: true });
      expect(ctx.eventsNamed('typing_status_update').at(-1)?.audience.users).toEqual([stranger.id]);
      await expectCode(open.presence.typing(alice.id, { to: blocker.id, isTyping: true }), 'BLOCKED');
      expect(ctx.eventsNamed('typing_status_update')).toHaveLength(1);
    });

    test('typing in a group reaches its room except the sender’s connection; members only', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob]);
      const before = await historyOf(ctx, group.id);
      await ctx.engine.presence.typing(
        bob.id,
        { groupId: group.id, isTyping: true },
        { connectionId: 'b-1' },
      );
      const event = ctx.eventsNamed('typing_status_update').at(-1);
      expect(event?.payload).toEqual({ from: bob.id, isTyping: true, groupId: group.id });
      expect(event?.audience.groups).toEqual([group.id]);
      expect(event?.audience.exceptConnection).toBe('b-1');
      await expectCode(
        ctx.engine.presence.typing(outsider.id, { groupId: group.id, isTyping: true }),
        'NOT_GROUP_MEMBER',
      );
      await expectCode(
        ctx.engine.presence.typing(bob.id, { groupId: '0123456789abcdef01234567', isTyping: true }),
        'NOT_FOUND',
      );
      await expectCode(
        ctx.engine.presence.typing(bob.id, { groupId: '', isTyping: true } as {
          groupId: string;
          isTyping: boolean;
        }),
        'VALIDATION_FAILED',
      );
      await ctx.engine.groups.dissolve(alice.id, group.id);
      await expectCode(
        ctx.engine.presence.typing(alice.id, { groupId: group.id, isTyping: true }),
        'NOT_FOUND',
      );
      expect(ctx.eventsNamed('typing_status_update')).toHaveLength(1);
      const after = await historyOf(ctx, group.id);
      // Only the dissolve note was written: typing is never stored.
      expect(after.length).toBe(before.length + 1);
      expect(after.at(-1)?.contentType).toBe('system');
    });
  });
}
