import { expect } from 'vitest';
import { groupConversationId } from '../../messaging/conversation-ids.js';
import type { RecordedEvent, ScenarioContext } from '../fixtures.js';
import type { ConformanceOptions } from '../harness.js';
import {
  expectCode,
  expectRefused,
  groupOf,
  historyOf,
  recordSignals,
  systemTexts,
} from './group-helpers.js';
import { defineScenarios } from './scenario-area.js';

/**
 * The cast of the rank-rule tests: Alice owns the group, Bob and Carol are admins, Dave a plain
 * member, and Outsider is not in it.
 */
async function rankedGroup(ctx: ScenarioContext) {
  const alice = await ctx.user('Alice');
  const bob = await ctx.user('Bob');
  const carol = await ctx.user('Carol');
  const dave = await ctx.user('Dave');
  const outsider = await ctx.user('Outsider');
  const group = await groupOf(ctx, alice, [bob, carol, dave]);
  await ctx.engine.groups.setAdmin(alice.id, group.id, bob.id, true);
  await ctx.engine.groups.setAdmin(alice.id, group.id, carol.id, true);
  return { alice, bob, carol, dave, outsider, group };
}

/** Engine-level scenarios of the groups area. */
export function groupsScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.groups', options, (test) => {
    test('create makes the creator owner of a group with their friends, who all see it', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      await ctx.befriend(alice, bob);
      await ctx.befriend(alice, carol);
      const signals = recordSignals(ctx);
      const from = ctx.events.length;
      const { group } = await ctx.engine.groups.create(alice.id, {
        name: '  Hikers  ',
        memberIds: [bob.id, carol.id, bob.id, alice.id],
        announcement: 'Boots on',
      });
      signals.stop();
      expect(group).toMatchObject({
        name: 'Hikers',
        ownerId: alice.id,
        joinPolicy: 'approval',
        muteAll: false,
        maxMembers: 500,
        memberCount: 3,
        myRole: 'owner',
        announcement: { text: 'Boots on', updatedBy: alice.id },
      });
      const members = await ctx.engine.groups.listMembers(bob.id, group.id);
      expect(members.items[0]).toMatchObject({ userId: alice.id, role: 'owner' });
      expect(
        members.items
          .slice(1)
          .map((m) => [m.user.nickname, m.role])
          .sort(),
      ).toEqual([
        ['Bob', 'member'],
        ['Carol', 'member'],
      ]);
      // Every member's connections join the room; the invited are announced to the group.
      expect(
        signals.list
          .filter((s) => s.name === 'membership_added')
          .map((s) => s.payload.userId)
          .sort(),
      ).toEqual([alice.id, bob.id, carol.id].sort());
      const joined = ctx.events
        .slice(from)
        .filter((e): e is RecordedEvent<'group_member_joined'> => e.name === 'group_member_joined');
      expect(joined.map((e) => e.payload.userId).sort()).toEqual([bob.id, carol.id].sort());
      for (const e of joined) {
        expect(e.payload).toMatchObject({ groupId: group.id, by: alice.id });
        expect(e.audience.groups).toContain(group.id);
      }
      // The group shows in every member's list at once; the creation note is news to the invited only.
      for (const u of [alice, bob, carol]) {
        expect(await ctx.store.messages.getCursor(u.id, groupConversationId(group.id))).not.toBeNull();
        const conversations = await ctx.engine.conversations.list(u.id);
        const entry = conversations.find((c) => c.id === groupConversationId(group.id));
        expect(entry?.group?.id).toBe(group.id);
        expect(entry?.unreadCount).toBe(u === alice ? 0 : 1);
        expect(await ctx.engine.groups.listMyGroupIds(u.id)).toEqual([group.id]);
      }
      expect(await systemTexts(ctx, group.id)).toEqual(['Alice created the group with Bob and Carol']);
    });

    test('create refuses bad input and strangers, and creates nothing', async (ctx) => {
      const alice = await ctx.user('Alice');
      const friend = await ctx.user('Friend');
      const stranger = await ctx.user('Stranger');
      const blocker = await ctx.user('Blocker');
      await ctx.befriend(alice, friend);
      await ctx.befriend(alice, blocker);
      await ctx.engine.blacklist.add(blocker.id, { userId: alice.id });
      const events = ctx.events.length;
      const create = (input: Record<string, unknown>) =>
        ctx.engine.groups.create(
          alice.id,
          input as unknown as Parameters<typeof ctx.engine.groups.create>[1],
        );
      await expectCode(create({ name: '   ' }), 'VALIDATION_FAILED');
      await expectCode(create({ name: 'x'.repeat(65) }), 'VALIDATION_FAILED');
      await expectCode(create({}), 'VALIDATION_FAILED');
      await expectCode(create({ name: 'Hikers', joinPolicy: 'secret' }), 'VALIDATION_FAILED');
      await expectCode(create({ name: 'Hikers', maxMembers: 501 }), 'VALIDATION_FAILED');
      await expectCode(create({ name: 'Hikers', maxMembers: 1 }), 'VALIDATION_FAILED');
      await expectCode(create({ name: 'Hikers', announcement: 'x'.repeat(2001) }), 'VALIDATION_FAILED');
      await expectCode(create({ name: 'Hikers', memberIds: 'nope' }), 'VALIDATION_FAILED');
      const notFriends = await expectCode(
        create({ name: 'Hikers', memberIds: [friend.id, stranger.id] }),
        'NOT_FRIENDS',
      );
      expect(notFriends.details).toEqual({ userIds: [stranger.id] });
      const unknown = await expectCode(
        create({ name: 'Hikers', memberIds: ['0123456789abcdef01234567'] }),
        'NOT_FOUND',
      );
      expect(unknown.details).toEqual({ userIds: ['0123456789abcdef01234567'] });
      await expectCode(create({ name: 'Hikers', memberIds: [blocker.id] }), 'BLOCKED');
      await expectCode(
        create({ name: 'Hikers', memberIds: [friend.id, blocker.id], maxMembers: 2 }),
        'BLOCKED',
      );
      const third = await ctx.user('Third');
      await ctx.befriend(alice, third);
      const from = ctx.events.length;
      await expectCode(
        create({ name: 'Hikers', memberIds: [friend.id, third.id], maxMembers: 2 }),
        'GROUP_FULL',
      );
      expect(ctx.events.length).toBe(from);
      for (const u of [alice, friend, stranger, blocker, third]) {
        expect(await ctx.engine.groups.listMine(u.id)).toEqual([]);
        expect(await ctx.store.groups.listMembershipsOfUser(u.id)).toEqual([]);
      }
      expect(ctx.events.slice(events).filter((e) => e.name.startsWith('group_'))).toEqual([]);
    });

    test('get shows members the whole group and others the public card; unknown and dissolved are NOT_FOUND', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob], { joinPolicy: 'open', announcement: 'hello' });
      const asMember = (await ctx.engine.groups.get(bob.id, group.id)).group;
      expect(asMember).toMatchObject({ id: group.id, ownerId: alice.id, myRole: 'member', muteAll: false });
      expect(asMember).toHaveProperty('announcement.text', 'hello');
      const card = (await ctx.engine.groups.get(outsider.id, group.id)).group;
      expect(card).toEqual({
        id: group.id,
        name: 'Hikers',
        avatarUrl: null,
        joinPolicy: 'open',
        memberCount: 2,
        maxMembers: 500,
        createdAt: group.createdAt,
      });
      await expectCode(ctx.engine.groups.get(alice.id, '0123456789abcdef01234567'), 'NOT_FOUND');
      await expectCode(ctx.engine.groups.get(alice.id, ''), 'VALIDATION_FAILED');
      await ctx.engine.groups.dissolve(alice.id, group.id);
      await expectCode(ctx.engine.groups.get(alice.id, group.id), 'NOT_FOUND');
      await expectCode(ctx.engine.groups.get(outsider.id, group.id), 'NOT_FOUND');
    });

    test('listMine and listMyGroupIds answer only the caller’s live groups with their role', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const first = await groupOf(ctx, alice, [bob], { name: 'First' });
      ctx.clock.advance(1000);
      const second = await groupOf(ctx, bob, [alice], { name: 'Second' });
      ctx.clock.advance(1000);
      const third = await groupOf(ctx, alice, [], { name: 'Third' });
      const mine = await ctx.engine.groups.listMine(alice.id);
      expect(mine.map((g) => [g.name, g.myRole])).toEqual([
        ['Third', 'owner'],
        ['Second', 'member'],
        ['First', 'owner'],
      ]);
      const page = await ctx.engine.groups.listMinePage(alice.id, { limit: 2 });
      expect(page.items.map((g) => g.name)).toEqual(['Third', 'Second']);
      expect(page.hasMore).toBe(true);
      const next = await ctx.engine.groups.listMinePage(alice.id, {
        limit: 2,
        cursor: page.nextCursor ?? undefined,
      });
      expect(next).toMatchObject({ hasMore: false, nextCursor: null });
      expect(next.items.map((g) => g.name)).toEqual(['First']);
      await expectCode(ctx.engine.groups.listMinePage(alice.id, { limit: 101 }), 'VALIDATION_FAILED');
      await ctx.engine.groups.dissolve(alice.id, third.id);
      expect((await ctx.engine.groups.listMyGroupIds(alice.id)).sort()).toEqual([first.id, second.id].sort());
      expect((await ctx.engine.groups.listMine(bob.id)).map((g) => g.name).sort()).toEqual([
        'First',
        'Second',
      ]);
    });

    test('update lets the owner and admins change settings and tells the group', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const group = await groupOf(ctx, alice, [bob, carol]);
      await ctx.engine.groups.setAdmin(alice.id, group.id, bob.id, true);
      const { group: updated } = await ctx.engine.groups.update(bob.id, group.id, {
        name: ' Climbers ',
        joinPolicy: 'open',
        muteAll: true,
        avatarUrl: 'https://example.test/a.png',
      });
      expect(updated).toMatchObject({
        name: 'Climbers',
        joinPolicy: 'open',
        muteAll: true,
        avatarUrl: 'https://example.test/a.png',
        myRole: 'admin',
      });
      const event = ctx.eventsNamed('group_updated').at(-1);
      expect(event?.payload).toMatchObject({
        groupId: group.id,
        group: { name: 'Climbers', muteAll: true },
      });
      expect(event?.payload.group.myRole).toBeUndefined();
      expect(event?.audience.groups).toEqual([group.id]);
      expect((await ctx.engine.groups.get(carol.id, group.id)).group).toMatchObject({ name: 'Climbers' });
      expect(await systemTexts(ctx, group.id)).toContain('Bob renamed the group to "Climbers"');
      await ctx.engine.groups.update(alice.id, group.id, { avatarUrl: null });
      expect((await ctx.engine.groups.get(carol.id, group.id)).group.avatarUrl).toBeNull();
    });

    test('update is refused to members, outsiders and bad input, changing nothing', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob]);
      const update = (userId: string, input: Record<string, unknown>) => () =>
        ctx.engine.groups.update(userId, group.id, input);
      await expectRefused(ctx, group.id, 'FORBIDDEN', update(bob.id, { name: 'Mine' }));
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', update(outsider.id, { name: 'Mine' }));
      await expectRefused(
        ctx,
        group.id,
        'VALIDATION_FAILED',
        update(alice.id, {}),
        update(alice.id, { name: '' }),
        update(alice.id, { name: 'x'.repeat(65) }),
        update(alice.id, { joinPolicy: 'closed' }),
        update(alice.id, { muteAll: 'yes' }),
        update(alice.id, { avatarUrl: 'not a url' }),
      );
      await expectCode(
        ctx.engine.groups.update(alice.id, '0123456789abcdef01234567', { name: 'x' }),
        'NOT_FOUND',
      );
    });

    test('listMembers pages owner, admins, then members in join order; members only', async (ctx) => {
      const alice = await ctx.user('Alice');
      const friends = [];
      for (let i = 0; i < 4; i += 1) friends.push(await ctx.user(`Friend${i}`));
      const group = await groupOf(ctx, alice, friends.slice(0, 1));
      for (const f of friends.slice(1)) await ctx.befriend(alice, f);
      ctx.clock.advance(1000);
      await ctx.engine.groups.addMembers(alice.id, group.id, { userIds: [friends[1]!.id] });
      ctx.clock.advance(1000);
      await ctx.engine.groups.addMembers(alice.id, group.id, {
        userIds: friends.slice(2).map((f) => f.id),
      });
      await ctx.engine.groups.setAdmin(alice.id, group.id, friends[3]!.id, true);
      const first = await ctx.engine.groups.listMembers(friends[0]!.id, group.id, { limit: 2 });
      expect(first.items.map((m) => m.userId)).toEqual([alice.id, friends[3]!.id]);
      expect(first.hasMore).toBe(true);
      const second = await ctx.engine.groups.listMembers(friends[0]!.id, group.id, {
        limit: 10,
        cursor: first.nextCursor ?? undefined,
      });
      expect(second.items.map((m) => m.userId)).toEqual([friends[0]!.id, friends[1]!.id, friends[2]!.id]);
      expect(second).toMatchObject({ hasMore: false, nextCursor: null });
      const outsider = await ctx.user('Outsider');
      await expectCode(ctx.engine.groups.listMembers(outsider.id, group.id), 'NOT_GROUP_MEMBER');
      await expectCode(ctx.engine.groups.listMembers(alice.id, group.id, { limit: 0 }), 'VALIDATION_FAILED');
      await expectCode(
        ctx.engine.groups.listMembers(alice.id, group.id, { limit: 101 }),
        'VALIDATION_FAILED',
      );
    });

    test('addMembers: owner and admins add friends; the group hears and the newcomers get the group', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const dave = await ctx.user('Dave');
      const group = await groupOf(ctx, alice, [bob]);
      await ctx.befriend(alice, carol);
      await ctx.befriend(alice, dave);
      const signals = recordSignals(ctx);
      const { added } = await ctx.engine.groups.addMembers(alice.id, group.id, {
        userIds: [bob.id, carol.id, dave.id, carol.id],
      });
      signals.stop();
      expect(added.map((m) => [m.userId, m.role, m.user.nickname])).toEqual([
        [carol.id, 'member', 'Carol'],
        [dave.id, 'member', 'Dave'],
      ]);
      expect(signals.list).toEqual([
        { name: 'membership_added', payload: { userId: carol.id, groupId: group.id } },
        { name: 'membership_added', payload: { userId: dave.id, groupId: group.id } },
      ]);
      const joined = ctx.eventsNamed('group_member_joined').slice(-2);
      expect(joined.map((e) => e.payload)).toEqual([
        expect.objectContaining({ groupId: group.id, userId: carol.id, by: alice.id }),
        expect.objectContaining({ groupId: group.id, userId: dave.id, by: alice.id }),
      ]);
      expect(joined[0]?.payload.user.nickname).toBe('Carol');
      expect(joined[0]?.audience.groups).toEqual([group.id]);
      expect((await ctx.engine.groups.get(carol.id, group.id)).group).toMatchObject({
        memberCount: 4,
        myRole: 'member',
      });
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice added Carol and Dave');
      // Newcomers see the group with the note that added them as unread; the adder does not.
      const unread = async (userId: string) =>
        (await ctx.engine.conversations.list(userId)).find((c) => c.id === groupConversationId(group.id))
          ?.unreadCount;
      expect(await unread(dave.id)).toBe(1);
      expect(await unread(alice.id)).toBe(0);
      const page = await ctx.engine.messages.groupHistory(dave.id, group.id);
      expect(page.messages.at(-1)?.content).toBe('Alice added Carol and Dave');
    });

    test('addMembers refusals: rank, strangers, unknown users, members only, capacity — nothing added', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const stranger = await ctx.user('Stranger');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob], { maxMembers: 3 });
      await ctx.befriend(bob, carol);
      await ctx.befriend(alice, carol);
      const add = (by: string, userIds: unknown) => () =>
        ctx.engine.groups.addMembers(by, group.id, { userIds } as { userIds: string[] });
      await expectRefused(ctx, group.id, 'FORBIDDEN', add(bob.id, [carol.id]));
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', add(outsider.id, [carol.id]));
      const nf = await expectRefused(ctx, group.id, 'NOT_FRIENDS', add(alice.id, [carol.id, stranger.id]));
      expect(nf.details).toEqual({ userIds: [stranger.id] });
      await expectRefused(ctx, group.id, 'NOT_FOUND', add(alice.id, [carol.id, '0123456789abcdef01234567']));
      await expectRefused(ctx, group.id, 'ALREADY_MEMBER', add(alice.id, [bob.id, alice.id]));
      await expectRefused(ctx, group.id, 'VALIDATION_FAILED', add(alice.id, []), add(alice.id, 'carol'));
      const dave = await ctx.user('Dave');
      await ctx.befriend(alice, dave);
      await expectRefused(ctx, group.id, 'GROUP_FULL', add(alice.id, [carol.id, dave.id]));
      await ctx.engine.blacklist.add(carol.id, { userId: alice.id });
      await expectRefused(ctx, group.id, 'BLOCKED', add(alice.id, [carol.id]));
      await expectCode(
        ctx.engine.groups.addMembers(alice.id, '0123456789abcdef01234567', { userIds: [dave.id] }),
        'NOT_FOUND',
      );
    });

    test('addMembers in an open group: any member may add anyone, strangers included', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const stranger = await ctx.user('Stranger');
      const group = await groupOf(ctx, alice, [bob], { joinPolicy: 'open' });
      const { added } = await ctx.engine.groups.addMembers(bob.id, group.id, { userIds: [stranger.id] });
      expect(added.map((m) => m.userId)).toEqual([stranger.id]);
      expect(ctx.eventsNamed('group_member_joined').at(-1)?.payload).toMatchObject({
        userId: stranger.id,
        by: bob.id,
      });
    });

    test('join an open group: joins at once and the group hears', async (ctx) => {
      const alice = await ctx.user('Alice');
      const erin = await ctx.user('Erin');
      const group = await groupOf(ctx, alice, [], { joinPolicy: 'open' });
      const signals = recordSignals(ctx);
      const result = await ctx.engine.groups.join(erin.id, group.id);
      signals.stop();
      expect(result).toMatchObject({
        joined: true,
        group: { id: group.id, myRole: 'member', memberCount: 2 },
      });
      expect(signals.list).toEqual([
        { name: 'membership_added', payload: { userId: erin.id, groupId: group.id } },
      ]);
      const event = ctx.eventsNamed('group_member_joined').at(-1);
      expect(event?.payload).toMatchObject({ groupId: group.id, userId: erin.id, by: null });
      expect(event?.audience.groups).toEqual([group.id]);
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Erin joined the group');
      await expectRefused(
        ctx,
        group.id,
        'ALREADY_MEMBER',
        () => ctx.engine.groups.join(erin.id, group.id),
        () => ctx.engine.groups.join(alice.id, group.id),
      );
    });

    test('join an approval group files one join request that only the owner and admins hear of', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const erin = await ctx.user('Erin');
      const group = await groupOf(ctx, alice, [bob, carol]);
      await ctx.engine.groups.setAdmin(alice.id, group.id, bob.id, true);
      const first = await ctx.engine.groups.join(erin.id, group.id, { message: ' hi there ' });
      expect(first.joined).toBe(false);
      if (first.joined) throw new Error('unexpected join');
      expect(first.request).toMatchObject({
        groupId: group.id,
        userId: erin.id,
        status: 'pending',
        message: 'hi there',
      });
      expect(first.request.user.nickname).toBe('Erin');
      const notices = ctx.eventsNamed('group_join_request');
      expect(notices).toHaveLength(1);
      expect([...(notices[0]?.audience.users ?? [])].sort()).toEqual([alice.id, bob.id].sort());
      expect(notices[0]?.audience.groups).toBeUndefined();
      const second = await ctx.engine.groups.join(erin.id, group.id);
      expect(second).toEqual(first);
      expect(ctx.eventsNamed('group_join_request')).toHaveLength(1);
      expect(await ctx.store.groups.getMember(group.id, erin.id)).toBeNull();
      const listed = await ctx.engine.groups.listJoinRequests(bob.id, group.id);
      expect(listed.items.map((r) => r.id)).toEqual([first.request.id]);
      await expectCode(ctx.engine.groups.listJoinRequests(carol.id, group.id), 'FORBIDDEN');
      await expectCode(ctx.engine.groups.listJoinRequests(erin.id, group.id), 'NOT_GROUP_MEMBER');
      await expectRefused(ctx, group.id, 'VALIDATION_FAILED', () =>
        ctx.engine.groups.join(erin.id, group.id, { message: 'x'.repeat(201) }),
      );
    });

    test('join is refused for invite-only groups, full groups and unknown ones', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const erin = await ctx.user('Erin');
      const inviteOnly = await groupOf(ctx, alice, [], { joinPolicy: 'invite', name: 'Secret' });
      await expectRefused(ctx, inviteOnly.id, 'FORBIDDEN', () =>
        ctx.engine.groups.join(erin.id, inviteOnly.id),
      );
      const full = await groupOf(ctx, alice, [bob], { joinPolicy: 'open', maxMembers: 2 });
      await expectRefused(ctx, full.id, 'GROUP_FULL', () => ctx.engine.groups.join(erin.id, full.id));
      const approvalFull = await groupOf(ctx, alice, [bob], { maxMembers: 2 });
      await expectRefused(ctx, approvalFull.id, 'GROUP_FULL', () =>
        ctx.engine.groups.join(erin.id, approvalFull.id),
      );
      await expectCode(ctx.engine.groups.join(erin.id, '0123456789abcdef01234567'), 'NOT_FOUND');
    });

    test('concurrent joins racing for the last seat of an open group: exactly one gets in', async (ctx) => {
      const alice = await ctx.user('Alice');
      const group = await groupOf(ctx, alice, [], { joinPolicy: 'open', maxMembers: 2 });
      const racers = [await ctx.user('R1'), await ctx.user('R2'), await ctx.user('R3')];
      const results = await Promise.allSettled(racers.map((r) => ctx.engine.groups.join(r.id, group.id)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('GROUP_FULL');
      }
      expect((await ctx.store.groups.get(group.id))?.memberCount).toBe(2);
      expect(
        ctx.eventsNamed('group_member_joined').filter((e) => e.payload.groupId === group.id),
      ).toHaveLength(1);
    });

    test('approve adds the requester; reject resolves; either only once and only by staff', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const erin = await ctx.user('Erin');
      const frank = await ctx.user('Frank');
      const group = await groupOf(ctx, alice, [bob]);
      const asked = await ctx.engine.groups.join(erin.id, group.id);
      const askedToo = await ctx.engine.groups.join(frank.id, group.id);
      if (asked.joined || askedToo.joined) throw new Error('unexpected join');
      const requestId = asked.request.id;
      await expectRefused(ctx, group.id, 'FORBIDDEN', () =>
        ctx.engine.groups.approveJoinRequest(bob.id, group.id, requestId),
      );
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', () =>
        ctx.engine.groups.approveJoinRequest(erin.id, group.id, requestId),
      );
      await expectRefused(ctx, group.id, 'NOT_FOUND', () =>
        ctx.engine.groups.approveJoinRequest(alice.id, group.id, '0123456789abcdef01234567'),
      );
      const signals = recordSignals(ctx);
      const { member } = await ctx.engine.groups.approveJoinRequest(alice.id, group.id, requestId);
      signals.stop();
      expect(member).toMatchObject({ userId: erin.id, role: 'member' });
      expect(signals.list).toEqual([
        { name: 'membership_added', payload: { userId: erin.id, groupId: group.id } },
      ]);
      expect(ctx.eventsNamed('group_member_joined').at(-1)?.payload).toMatchObject({
        userId: erin.id,
        by: alice.id,
      });
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Erin joined the group, approved by Alice');
      await expectRefused(
        ctx,
        group.id,
        'NOT_FOUND',
        () => ctx.engine.groups.approveJoinRequest(alice.id, group.id, requestId),
        () => ctx.engine.groups.rejectJoinRequest(alice.id, group.id, requestId),
      );
      await expectRefused(ctx, group.id, 'FORBIDDEN', () =>
        ctx.engine.groups.rejectJoinRequest(bob.id, group.id, askedToo.request.id),
      );
      const events = ctx.events.length;
      await ctx.engine.groups.rejectJoinRequest(alice.id, group.id, askedToo.request.id);
      expect(ctx.events.slice(events).filter((e) => e.name.startsWith('group_'))).toEqual([]);
      expect(await ctx.store.groups.getMember(group.id, frank.id)).toBeNull();
      expect((await ctx.store.groups.getJoinRequest(askedToo.request.id))?.status).toBe('rejected');
      expect((await ctx.engine.groups.listJoinRequests(alice.id, group.id)).items).toEqual([]);
      // A request of another group is not found through this one.
      const other = await groupOf(ctx, bob, [], { name: 'Other' });
      const elsewhere = await ctx.engine.groups.join(frank.id, other.id);
      if (elsewhere.joined) throw new Error('unexpected join');
      await expectRefused(ctx, group.id, 'NOT_FOUND', () =>
        ctx.engine.groups.approveJoinRequest(alice.id, group.id, elsewhere.request.id),
      );
    });

    test('approving into a full group answers GROUP_FULL and the request stays pending', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const erin = await ctx.user('Erin');
      const group = await groupOf(ctx, alice, [], { maxMembers: 2 });
      const asked = await ctx.engine.groups.join(erin.id, group.id);
      if (asked.joined) throw new Error('unexpected join');
      await ctx.befriend(alice, bob);
      await ctx.engine.groups.addMembers(alice.id, group.id, { userIds: [bob.id] });
      await expectRefused(ctx, group.id, 'GROUP_FULL', () =>
        ctx.engine.groups.approveJoinRequest(alice.id, group.id, asked.request.id),
      );
      expect((await ctx.store.groups.getJoinRequest(asked.request.id))?.status).toBe('pending');
      await ctx.engine.groups.kick(alice.id, group.id, bob.id);
      await ctx.engine.groups.approveJoinRequest(alice.id, group.id, asked.request.id);
      expect(await ctx.store.groups.getMember(group.id, erin.id)).not.toBeNull();
    });

    test('leave: members leave, the room and the list let go of them; the owner may not', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob, carol]);
      await expectRefused(ctx, group.id, 'FORBIDDEN', () => ctx.engine.groups.leave(alice.id, group.id));
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', () =>
        ctx.engine.groups.leave(outsider.id, group.id),
      );
      const signals = recordSignals(ctx);
      await ctx.engine.groups.leave(bob.id, group.id);
      signals.stop();
      expect(signals.list).toEqual([
        { name: 'membership_removed', payload: { userId: bob.id, groupId: group.id } },
      ]);
      const left = ctx.eventsNamed('group_member_left').at(-1);
      expect(left?.payload).toEqual({ groupId: group.id, userId: bob.id });
      expect(left?.audience.groups).toEqual([group.id]);
      expect(left?.audience.users).toEqual([bob.id]);
      expect(await ctx.store.messages.getCursor(bob.id, groupConversationId(group.id))).toBeNull();
      expect(await ctx.engine.groups.listMyGroupIds(bob.id)).toEqual([]);
      expect((await ctx.engine.conversations.list(bob.id)).map((c) => c.id)).not.toContain(
        groupConversationId(group.id),
      );
      expect((await ctx.engine.groups.get(carol.id, group.id)).group.memberCount).toBe(2);
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Bob left the group');
      await expectCode(ctx.engine.messages.groupHistory(bob.id, group.id), 'NOT_GROUP_MEMBER');
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', () => ctx.engine.groups.leave(bob.id, group.id));
    });

    test('kick: the owner removes anyone, an admin only plain members; the removed user hears it', async (ctx) => {
      const { alice, bob, carol, dave, outsider, group } = await rankedGroup(ctx);
      const kick = (by: string, target: string) => () => ctx.engine.groups.kick(by, group.id, target);
      await expectRefused(
        ctx,
        group.id,
        'FORBIDDEN',
        kick(bob.id, carol.id),
        kick(bob.id, alice.id),
        kick(dave.id, bob.id),
      );
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', kick(outsider.id, dave.id));
      await expectRefused(ctx, group.id, 'VALIDATION_FAILED', kick(alice.id, alice.id));
      await expectRefused(ctx, group.id, 'NOT_FOUND', kick(alice.id, outsider.id));
      await expectRefused(ctx, group.id, 'VALIDATION_FAILED', kick(alice.id, ''));

      const signals = recordSignals(ctx);
      await ctx.engine.groups.kick(bob.id, group.id, dave.id);
      signals.stop();
      expect(signals.list).toEqual([
        { name: 'membership_removed', payload: { userId: dave.id, groupId: group.id } },
      ]);
      const removed = ctx.eventsNamed('group_member_removed').at(-1);
      expect(removed?.payload).toEqual({ groupId: group.id, userId: dave.id, by: bob.id });
      expect(removed?.audience.groups).toEqual([group.id]);
      expect(removed?.audience.users).toEqual([dave.id]);
      expect(await ctx.store.messages.getCursor(dave.id, groupConversationId(group.id))).toBeNull();
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Bob removed Dave from the group');
      await expectCode(ctx.engine.messages.groupHistory(dave.id, group.id), 'NOT_GROUP_MEMBER');

      await ctx.engine.groups.kick(alice.id, group.id, carol.id);
      expect(await ctx.store.groups.getMember(group.id, carol.id)).toBeNull();
      expect((await ctx.store.groups.get(group.id))?.memberCount).toBe(2);
    });

    test('mute: a timed mute stops messages and ends by itself; unmute clears it', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const group = await groupOf(ctx, alice, [bob]);
      const now = ctx.clock.now().getTime();
      const { member } = await ctx.engine.groups.mute(alice.id, group.id, {
        userId: bob.id,
        durationSeconds: 600,
      });
      const until = new Date(now + 600_000).toISOString();
      expect(member).toMatchObject({ userId: bob.id, mutedUntil: until });
      const event = ctx.eventsNamed('group_member_muted').at(-1);
      expect(event?.payload).toEqual({
        groupId: group.id,
        userId: bob.id,
        mutedUntil: until,
        by: alice.id,
      });
      expect(event?.audience.groups).toEqual([group.id]);
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice muted Bob for 10 minutes');
      const muted = await expectCode(
        ctx.engine.messages.sendGroup(bob.id, { groupId: group.id, content: 'hello?' }),
        'MUTED',
      );
      expect(muted.details?.mutedUntil).toBe(until);
      ctx.clock.advance(600_000);
      await ctx.engine.messages.sendGroup(bob.id, { groupId: group.id, content: 'back' });

      await ctx.engine.groups.mute(alice.id, group.id, { userId: bob.id, durationSeconds: 3600 });
      await ctx.engine.groups.unmute(alice.id, group.id, bob.id);
      expect(ctx.eventsNamed('group_member_muted').at(-1)?.payload).toEqual({
        groupId: group.id,
        userId: bob.id,
        mutedUntil: null,
        by: alice.id,
      });
      expect((await ctx.store.groups.getMember(group.id, bob.id))?.mutedUntil).toBeNull();
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice unmuted Bob');
      await ctx.engine.messages.sendGroup(bob.id, { groupId: group.id, content: 'free' });
    });

    test('mute and unmute follow the kick rank rule and refuse bad durations, changing nothing', async (ctx) => {
      const { alice, bob, carol, dave, outsider, group } = await rankedGroup(ctx);
      const mute = (by: string, userId: string, durationSeconds: unknown) => () =>
        ctx.engine.groups.mute(by, group.id, { userId, durationSeconds } as {
          userId: string;
          durationSeconds: number;
        });
      await expectRefused(
        ctx,
        group.id,
        'FORBIDDEN',
        mute(bob.id, carol.id, 60),
        mute(bob.id, alice.id, 60),
        mute(dave.id, bob.id, 60),
      );
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', mute(outsider.id, dave.id, 60));
      await expectRefused(ctx, group.id, 'VALIDATION_FAILED', mute(alice.id, alice.id, 60));
      await expectRefused(ctx, group.id, 'NOT_FOUND', mute(alice.id, outsider.id, 60));
      await expectRefused(
        ctx,
        group.id,
        'VALIDATION_FAILED',
        mute(alice.id, dave.id, 0),
        mute(alice.id, dave.id, 30 * 86_400 + 1),
        mute(alice.id, dave.id, 1.5),
        mute(alice.id, dave.id, '60'),
      );
      // The longest mute is allowed.
      await ctx.engine.groups.mute(bob.id, group.id, { userId: dave.id, durationSeconds: 30 * 86_400 });
      await ctx.engine.groups.mute(alice.id, group.id, { userId: carol.id, durationSeconds: 60 });
      const unmute = (by: string, target: string) => () => ctx.engine.groups.unmute(by, group.id, target);
      await expectRefused(ctx, group.id, 'FORBIDDEN', unmute(bob.id, carol.id), unmute(dave.id, dave.id));
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', unmute(outsider.id, dave.id));
      await expectRefused(ctx, group.id, 'NOT_FOUND', unmute(alice.id, outsider.id));
      await ctx.engine.groups.unmute(bob.id, group.id, dave.id);
      expect((await ctx.store.groups.getMember(group.id, dave.id))?.mutedUntil).toBeNull();
    });

    test('setAnnouncement: owner and admins set or clear it, the group hears, members only read', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob]);
      const { announcement } = await ctx.engine.groups.setAnnouncement(alice.id, group.id, {
        text: '  Meet at 9  ',
      });
      expect(announcement).toMatchObject({ text: 'Meet at 9', updatedBy: alice.id });
      const event = ctx.eventsNamed('group_announcement_updated').at(-1);
      expect(event?.payload).toEqual({ groupId: group.id, announcement });
      expect(event?.audience.groups).toEqual([group.id]);
      expect((await ctx.engine.groups.get(bob.id, group.id)).group).toMatchObject({ announcement });
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice updated the announcement: Meet at 9');
      const set = (by: string, text: unknown) => () =>
        ctx.engine.groups.setAnnouncement(by, group.id, { text } as { text: string });
      await expectRefused(ctx, group.id, 'FORBIDDEN', set(bob.id, 'mine now'));
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', set(outsider.id, 'mine now'));
      await expectRefused(
        ctx,
        group.id,
        'VALIDATION_FAILED',
        set(alice.id, 'x'.repeat(2001)),
        set(alice.id, 42),
      );
      await ctx.engine.groups.setAnnouncement(alice.id, group.id, { text: 'x'.repeat(2000) });
      const cleared = await ctx.engine.groups.setAnnouncement(alice.id, group.id, { text: '' });
      expect(cleared.announcement).toBeNull();
      expect(ctx.eventsNamed('group_announcement_updated').at(-1)?.payload.announcement).toBeNull();
      expect((await ctx.engine.groups.get(bob.id, group.id)).group).not.toHaveProperty('announcement');
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice cleared the announcement');
    });

    test('setAdmin: only the owner promotes and demotes members, never themselves', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob, carol]);
      const { member } = await ctx.engine.groups.setAdmin(alice.id, group.id, bob.id, true);
      expect(member).toMatchObject({ userId: bob.id, role: 'admin' });
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice made Bob an admin');
      const setAdmin = (by: string, target: string, on: boolean) => () =>
        ctx.engine.groups.setAdmin(by, group.id, target, on);
      await expectRefused(
        ctx,
        group.id,
        'FORBIDDEN',
        setAdmin(bob.id, carol.id, true),
        setAdmin(carol.id, carol.id, true),
      );
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', setAdmin(outsider.id, carol.id, true));
      await expectRefused(ctx, group.id, 'VALIDATION_FAILED', setAdmin(alice.id, alice.id, false));
      await expectRefused(ctx, group.id, 'NOT_FOUND', setAdmin(alice.id, outsider.id, true));
      // The new admin can now act as one.
      await ctx.engine.groups.setAnnouncement(bob.id, group.id, { text: 'by Bob' });
      const demoted = await ctx.engine.groups.setAdmin(alice.id, group.id, bob.id, false);
      expect(demoted.member.role).toBe('member');
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice removed Bob as admin');
      await expectRefused(ctx, group.id, 'FORBIDDEN', () =>
        ctx.engine.groups.setAnnouncement(bob.id, group.id, { text: 'again' }),
      );
    });

    test('transfer: the owner hands the group to a member and becomes an admin', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob, carol]);
      await ctx.engine.groups.setAdmin(alice.id, group.id, carol.id, true);
      const transfer = (by: string, userId: unknown) => () =>
        ctx.engine.groups.transfer(by, group.id, { userId } as { userId: string });
      await expectRefused(ctx, group.id, 'FORBIDDEN', transfer(carol.id, bob.id), transfer(bob.id, bob.id));
      await expectRefused(ctx, group.id, 'NOT_GROUP_MEMBER', transfer(outsider.id, bob.id));
      await expectRefused(ctx, group.id, 'VALIDATION_FAILED', transfer(alice.id, alice.id));
      await expectRefused(ctx, group.id, 'NOT_FOUND', transfer(alice.id, outsider.id));
      await expectRefused(ctx, group.id, 'VALIDATION_FAILED', transfer(alice.id, 7));
      const { group: after } = await ctx.engine.groups.transfer(alice.id, group.id, { userId: bob.id });
      expect(after).toMatchObject({ ownerId: bob.id, myRole: 'admin' });
      expect((await ctx.store.groups.getMember(group.id, bob.id))?.role).toBe('owner');
      expect((await ctx.store.groups.getMember(group.id, alice.id))?.role).toBe('admin');
      const event = ctx.eventsNamed('group_updated').at(-1);
      expect(event?.payload).toMatchObject({ groupId: group.id, group: { ownerId: bob.id } });
      expect(event?.audience.groups).toEqual([group.id]);
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice made Bob the owner');
      // The former owner may now leave; the new one may not.
      await expectRefused(ctx, group.id, 'FORBIDDEN', () => ctx.engine.groups.leave(bob.id, group.id));
      await ctx.engine.groups.leave(alice.id, group.id);
      await ctx.engine.groups.kick(bob.id, group.id, carol.id);
    });

    test('dissolve: the group hears it while still in the room, then the group is gone for everyone', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const group = await groupOf(ctx, alice, [bob, carol], { joinPolicy: 'open' });
      await ctx.engine.groups.setAdmin(alice.id, group.id, bob.id, true);
      await expectRefused(
        ctx,
        group.id,
        'FORBIDDEN',
        () => ctx.engine.groups.dissolve(bob.id, group.id),
        () => ctx.engine.groups.dissolve(carol.id, group.id),
      );
      // The dissolved event goes out before anyone's connections leave the room.
      const order: string[] = [];
      const onDissolved = () => order.push('group_dissolved');
      const onRemoved = () => order.push('membership_removed');
      ctx.engine.events.on('group_dissolved', onDissolved);
      ctx.engine.control.on('membership_removed', onRemoved);
      await ctx.engine.groups.dissolve(alice.id, group.id);
      ctx.engine.events.off('group_dissolved', onDissolved);
      ctx.engine.control.off('membership_removed', onRemoved);
      expect(order).toEqual([
        'group_dissolved',
        'membership_removed',
        'membership_removed',
        'membership_removed',
      ]);
      const event = ctx.eventsNamed('group_dissolved').at(-1);
      expect(event?.payload).toEqual({ groupId: group.id, by: alice.id });
      expect(event?.audience.groups).toEqual([group.id]);
      expect([...(event?.audience.users ?? [])].sort()).toEqual([alice.id, bob.id, carol.id].sort());
      expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Alice dissolved the group');
      for (const u of [alice, bob, carol]) {
        await expectCode(ctx.engine.groups.get(u.id, group.id), 'NOT_FOUND');
        expect(await ctx.engine.groups.listMine(u.id)).toEqual([]);
        expect(await ctx.engine.groups.listMyGroupIds(u.id)).toEqual([]);
        expect(await ctx.store.messages.getCursor(u.id, groupConversationId(group.id))).toBeNull();
      }
      const stored = await ctx.store.groups.get(group.id);
      expect(stored?.dissolvedAt).not.toBeNull();
      expect(stored?.memberCount).toBe(0);
      const erin = await ctx.user('Erin');
      await expectCode(ctx.engine.groups.join(erin.id, group.id), 'NOT_FOUND');
      await expectCode(ctx.engine.groups.dissolve(alice.id, group.id), 'NOT_FOUND');
      await expectCode(ctx.engine.groups.assertMember(alice.id, group.id), 'NOT_FOUND');
    });

    test('membership changes leave system messages in history, in order, for members who were away', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const erin = await ctx.user('Erin');
      const group = await groupOf(ctx, alice, [bob, carol], { joinPolicy: 'open' });
      await ctx.engine.groups.join(erin.id, group.id);
      await ctx.engine.groups.mute(alice.id, group.id, { userId: erin.id, durationSeconds: 120 });
      await ctx.engine.groups.setAnnouncement(alice.id, group.id, { text: 'Be kind' });
      await ctx.engine.groups.leave(carol.id, group.id);
      await ctx.engine.groups.kick(alice.id, group.id, erin.id);
      const page = await ctx.engine.messages.groupHistory(bob.id, group.id);
      const system = page.messages.filter((m) => m.contentType === 'system');
      expect(system.map((m) => m.content)).toEqual([
        'Alice created the group with Bob and Carol',
        'Erin joined the group',
        'Alice muted Erin for 2 minutes',
        'Alice updated the announcement: Be kind',
        'Carol left the group',
        'Alice removed Erin from the group',
      ]);
      const seqs = system.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(
        (await historyOf(ctx, group.id)).every((m) => m.type === 'group' && m.groupId === group.id),
      ).toBe(true);
    });

    test('assertMember: NOT_FOUND for unknown groups, NOT_GROUP_MEMBER for outsiders', async (ctx) => {
      const alice = await ctx.user('Alice');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice);
      await ctx.engine.groups.assertMember(alice.id, group.id);
      await expectCode(ctx.engine.groups.assertMember(outsider.id, group.id), 'NOT_GROUP_MEMBER');
      await expectCode(ctx.engine.groups.assertMember(alice.id, '0123456789abcdef01234567'), 'NOT_FOUND');
    });
  });
}
