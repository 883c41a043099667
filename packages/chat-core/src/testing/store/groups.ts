import { expect } from 'vitest';
import type { GroupMemberRecord, GroupRecord, GroupRole, JoinRequestRecord } from '../../domain/records.js';
import { isChatError } from '../../errors.js';
import { objectIdGenerator } from '../../ports/ids.js';
import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';
import { expectRefusal } from '../scenarios/refusals.js';

const ids = objectIdGenerator();
const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function groupRecord(overrides: Partial<GroupRecord> = {}): GroupRecord {
  return {
    id: ids.next(),
    name: 'Hikers',
    avatarUrl: null,
    ownerId: ids.next(),
    announcement: null,
    joinPolicy: 'approval',
    muteAll: false,
    maxMembers: 10,
    memberCount: 0,
    inviteVersion: 0,
    createdAt: T0,
    updatedAt: T0,
    dissolvedAt: null,
    ...overrides,
  };
}

function memberRecord(
  groupId: string,
  userId: string,
  role: GroupRole = 'member',
  joinedAt = T0,
): GroupMemberRecord {
  return { groupId, userId, role, mutedUntil: null, joinedAt };
}

function joinRequest(groupId: string, userId: string, createdAt = T0): JoinRequestRecord {
  return {
    id: ids.next(),
    groupId,
    userId,
    message: 'let me in',
    status: 'pending',
    createdAt,
    resolvedAt: null,
    resolvedBy: null,
  };
}

/** A group with an owner and `plain` plain members joined one second apart. */
async function seedGroup(
  { store }: StoreTestContext,
  plain = 0,
  overrides: Partial<GroupRecord> = {},
): Promise<{ group: GroupRecord; ownerId: string; memberIds: string[] }> {
  const group = groupRecord(overrides);
  const memberIds = Array.from({ length: plain }, () => ids.next());
  const members = [
    memberRecord(group.id, group.ownerId, 'owner', T0),
    ...memberIds.map((id, i) => memberRecord(group.id, id, 'member', at(i + 1))),
  ];
  const created = await store.groups.create(group, members);
  return { group: created, ownerId: group.ownerId, memberIds };
}

/** memberCount as stored: read raw when the adapter gives probes. */
async function storedCount(ctx: StoreTestContext, groupId: string): Promise<unknown> {
  if (ctx.probes) return (await ctx.probes.group(groupId))?.memberCount;
  return (await ctx.store.groups.get(groupId))?.memberCount;
}

/** Whether a membership is stored: read raw when the adapter gives probes. */
async function isStoredMember(ctx: StoreTestContext, groupId: string, userId: string): Promise<boolean> {
  if (ctx.probes) return (await ctx.probes.member(groupId, userId)) !== null;
  return (await ctx.store.groups.getMember(groupId, userId)) !== null;
}

/** Store-level conformance of the groups area. */
export function groupsStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.groups',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (test) => {
      test('create stores the group with its first members and sets memberCount from them', async (ctx) => {
        const { group, ownerId, memberIds } = await seedGroup(ctx, 2);
        expect(group.memberCount).toBe(3);
        expect(await storedCount(ctx, group.id)).toBe(3);
        const read = await ctx.store.groups.get(group.id);
        expect(read).toEqual(group);
        expect(read).toMatchObject({ name: 'Hikers', ownerId, joinPolicy: 'approval', maxMembers: 10 });
        for (const id of [ownerId, ...memberIds]) expect(await isStoredMember(ctx, group.id, id)).toBe(true);
        expect(await ctx.store.groups.getMember(group.id, ownerId)).toEqual(
          memberRecord(group.id, ownerId, 'owner', T0),
        );
      });

      test('get answers null for an unknown group and keeps dissolved ones', async (ctx) => {
        expect(await ctx.store.groups.get(ids.next())).toBeNull();
        const { group } = await seedGroup(ctx);
        await ctx.store.groups.update(group.id, { dissolvedAt: at(5) });
        expect((await ctx.store.groups.get(group.id))?.dissolvedAt).toEqual(at(5));
      });

      test('getMany answers the known groups and leaves unknown ids out', async (ctx) => {
        const a = await seedGroup(ctx);
        const b = await seedGroup(ctx, 0, { name: 'Climbers' });
        const found = await ctx.store.groups.getMany([a.group.id, ids.next(), b.group.id]);
        expect(found.map((g) => g.name).sort()).toEqual(['Climbers', 'Hikers']);
        expect(await ctx.store.groups.getMany([])).toEqual([]);
      });

      test('update applies the patch, leaves other fields, and answers null for an unknown group', async (ctx) => {
        const { group } = await seedGroup(ctx, 1);
        const announcement = { text: 'Meet at 9', updatedAt: at(3), updatedBy: group.ownerId };
        const updated = await ctx.store.groups.update(group.id, {
          name: 'Trail runners',
          announcement,
          muteAll: true,
          inviteVersion: 2,
          updatedAt: at(3),
        });
        expect(updated).toMatchObject({
          name: 'Trail runners',
          announcement,
          muteAll: true,
          inviteVersion: 2,
          joinPolicy: 'approval',
          memberCount: 2,
          updatedAt: at(3),
        });
        expect(await ctx.store.groups.get(group.id)).toEqual(updated);
        if (ctx.probes) expect((await ctx.probes.group(group.id))?.name).toBe('Trail runners');
        const cleared = await ctx.store.groups.update(group.id, { announcement: null });
        expect(cleared?.announcement).toBeNull();
        expect(await ctx.store.groups.update(ids.next(), { name: 'x' })).toBeNull();
      });

      test('records are copies: mutating what a read answers changes nothing stored', async (ctx) => {
        const { group, ownerId } = await seedGroup(ctx, 1);
        const read = await ctx.store.groups.get(group.id);
        if (!read) throw new Error('group missing');
        read.name = 'changed';
        read.memberCount = 99;
        group.name = 'changed too';
        const member = await ctx.store.groups.getMember(group.id, ownerId);
        if (!member) throw new Error('member missing');
        member.role = 'member';
        const listed = await ctx.store.groups.listMembers(group.id, { limit: 10 });
        listed.items[0]!.role = 'member';
        const again = await ctx.store.groups.get(group.id);
        expect(again).toMatchObject({ name: 'Hikers', memberCount: 2 });
        expect((await ctx.store.groups.getMember(group.id, ownerId))?.role).toBe('owner');
      });

      test('addMembers adds only newcomers, answers them, and raises memberCount', async (ctx) => {
        const { group, memberIds } = await seedGroup(ctx, 1);
        const newcomer = ids.next();
        const added = await ctx.store.groups.addMembers(
          group.id,
          [
            memberRecord(group.id, memberIds[0]!, 'member', at(9)),
            memberRecord(group.id, newcomer, 'member', at(9)),
          ],
          10,
        );
        expect(added).toEqual([memberRecord(group.id, newcomer, 'member', at(9))]);
        expect(await storedCount(ctx, group.id)).toBe(3);
        expect(await isStoredMember(ctx, group.id, newcomer)).toBe(true);
        // The existing member kept their original join time.
        expect((await ctx.store.groups.getMember(group.id, memberIds[0]!))?.joinedAt).toEqual(at(1));
        expect(await ctx.store.groups.addMembers(group.id, [memberRecord(group.id, newcomer)], 10)).toEqual(
          [],
        );
        expect(await storedCount(ctx, group.id)).toBe(3);
      });

      test('addMembers past maxMembers throws GROUP_FULL and adds nobody', async (ctx) => {
        const { group } = await seedGroup(ctx, 2, { maxMembers: 4 });
        const newcomers = [ids.next(), ids.next()];
        await expectRefusal(
          ctx.store.groups.addMembers(
            group.id,
            newcomers.map((id) => memberRecord(group.id, id)),
            4,
          ),
          'GROUP_FULL',
        );
        expect(await storedCount(ctx, group.id)).toBe(3);
        for (const id of newcomers) expect(await isStoredMember(ctx, group.id, id)).toBe(false);
        expect(await ctx.store.groups.listMemberIds(group.id)).toHaveLength(3);
        expect(await ctx.store.groups.listMembershipsOfUser(newcomers[0]!)).toEqual([]);
        // Exactly filling the last seat is fine.
        const added = await ctx.store.groups.addMembers(group.id, [memberRecord(group.id, newcomers[0]!)], 4);
        expect(added).toHaveLength(1);
        expect(await storedCount(ctx, group.id)).toBe(4);
      });

      test('concurrent addMembers racing for the last seats fill the group exactly to capacity', async (ctx) => {
        const { group } = await seedGroup(ctx, 1, { maxMembers: 5 });
        const contenders = Array.from({ length: 8 }, () => ids.next());
        const results = await Promise.allSettled(
          contenders.map((id) => ctx.store.groups.addMembers(group.id, [memberRecord(group.id, id)], 5)),
        );
        const winners = results.filter((r) => r.status === 'fulfilled' && r.value.length === 1);
        const losers = results.filter((r) => r.status === 'rejected');
        expect(winners).toHaveLength(3);
        expect(losers).toHaveLength(5);
        for (const loser of losers) {
          const reason = (loser as PromiseRejectedResult).reason as unknown;
          expect(isChatError(reason) && reason.code).toBe('GROUP_FULL');
        }
        expect(await storedCount(ctx, group.id)).toBe(5);
        expect(await ctx.store.groups.listMemberIds(group.id)).toHaveLength(5);
      });

      test('removeMember removes one membership, lowers memberCount, and answers false for a non-member', async (ctx) => {
        const { group, memberIds } = await seedGroup(ctx, 2);
        const leaver = memberIds[0]!;
        expect(await ctx.store.groups.removeMember(group.id, leaver)).toBe(true);
        expect(await storedCount(ctx, group.id)).toBe(2);
        expect(await isStoredMember(ctx, group.id, leaver)).toBe(false);
        expect(await ctx.store.groups.listMembershipsOfUser(leaver)).toEqual([]);
        expect(await ctx.store.groups.removeMember(group.id, leaver)).toBe(false);
        expect(await ctx.store.groups.removeMember(ids.next(), leaver)).toBe(false);
        expect(await storedCount(ctx, group.id)).toBe(2);
        // A former member may come back.
        expect(
          await ctx.store.groups.addMembers(group.id, [memberRecord(group.id, leaver)], 10),
        ).toHaveLength(1);
        expect(await storedCount(ctx, group.id)).toBe(3);
      });

      test('getMember and updateMember read and patch one membership; unknown ones answer null', async (ctx) => {
        const { group, memberIds } = await seedGroup(ctx, 1);
        const target = memberIds[0]!;
        expect(await ctx.store.groups.getMember(group.id, ids.next())).toBeNull();
        expect(await ctx.store.groups.getMember(ids.next(), target)).toBeNull();
        const muted = await ctx.store.groups.updateMember(group.id, target, { mutedUntil: at(60) });
        expect(muted).toEqual({ ...memberRecord(group.id, target, 'member', at(1)), mutedUntil: at(60) });
        const promoted = await ctx.store.groups.updateMember(group.id, target, { role: 'admin' });
        expect(promoted).toMatchObject({ role: 'admin', mutedUntil: at(60) });
        const unmuted = await ctx.store.groups.updateMember(group.id, target, { mutedUntil: null });
        expect(unmuted).toMatchObject({ role: 'admin', mutedUntil: null });
        expect(await ctx.store.groups.getMember(group.id, target)).toEqual(unmuted);
        if (ctx.probes) expect((await ctx.probes.member(group.id, target))?.role).toBe('admin');
        expect(await ctx.store.groups.updateMember(group.id, ids.next(), { role: 'admin' })).toBeNull();
      });

      test('listMembers orders owner, admins, members, then join time, across cursor pages', async (ctx) => {
        const group = groupRecord({ maxMembers: 20 });
        const owner = group.ownerId;
        const [a1, a2, m1, m2, m3, m4] = Array.from({ length: 6 }, () => ids.next()) as [
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        // Inserted out of order on purpose.
        await ctx.store.groups.create(group, [
          memberRecord(group.id, m3, 'member', at(3)),
          memberRecord(group.id, a2, 'admin', at(8)),
          memberRecord(group.id, owner, 'owner', at(5)),
          memberRecord(group.id, m1, 'member', at(1)),
        ]);
        await ctx.store.groups.addMembers(
          group.id,
          [
            memberRecord(group.id, m4, 'member', at(4)),
            memberRecord(group.id, a1, 'admin', at(7)),
            memberRecord(group.id, m2, 'member', at(2)),
          ],
          20,
        );
        const expected = [owner, a1, a2, m1, m2, m3, m4];
        const all = await ctx.store.groups.listMembers(group.id, { limit: 100 });
        expect(all.items.map((m) => m.userId)).toEqual(expected);
        expect(all).toMatchObject({ hasMore: false, nextCursor: null });

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await ctx.store.groups.listMembers(group.id, { cursor, limit: 3 });
          pages += 1;
          seen.push(...page.items.map((m) => m.userId));
          if (!page.hasMore) {
            expect(page.nextCursor).toBeNull();
            break;
          }
          expect(page.items).toHaveLength(3);
          expect(typeof page.nextCursor).toBe('string');
          cursor = page.nextCursor ?? undefined;
          if (pages > 5) throw new Error('pagination does not end');
        }
        expect(seen).toEqual(expected);
        expect(pages).toBe(3);
        expect(await ctx.store.groups.listMembers(ids.next(), { limit: 10 })).toEqual({
          items: [],
          hasMore: false,
          nextCursor: null,
        });
      });

      test('listMemberIds answers every member id in one call', async (ctx) => {
        const { group, ownerId, memberIds } = await seedGroup(ctx, 4);
        expect((await ctx.store.groups.listMemberIds(group.id)).sort()).toEqual(
          [ownerId, ...memberIds].sort(),
        );
        expect(await ctx.store.groups.listMemberIds(ids.next())).toEqual([]);
      });

      test('listMembersByRole answers only members holding those roles', async (ctx) => {
        const { group, ownerId, memberIds } = await seedGroup(ctx, 3);
        await ctx.store.groups.updateMember(group.id, memberIds[1]!, { role: 'admin' });
        const staff = await ctx.store.groups.listMembersByRole(group.id, ['owner', 'admin']);
        expect(staff.map((m) => m.userId).sort()).toEqual([ownerId, memberIds[1]!].sort());
        const admins = await ctx.store.groups.listMembersByRole(group.id, ['admin']);
        expect(admins.map((m) => m.userId)).toEqual([memberIds[1]]);
        const plain = await ctx.store.groups.listMembersByRole(group.id, ['member']);
        expect(plain.map((m) => m.userId).sort()).toEqual([memberIds[0]!, memberIds[2]!].sort());
        expect(await ctx.store.groups.listMembersByRole(group.id, [])).toEqual([]);
      });

      test('listMembershipsOfUser answers the memberships of one user across groups', async (ctx) => {
        const user = ids.next();
        const a = await seedGroup(ctx);
        const b = await seedGroup(ctx);
        await seedGroup(ctx, 2);
        await ctx.store.groups.addMembers(a.group.id, [memberRecord(a.group.id, user, 'member', at(1))], 10);
        await ctx.store.groups.addMembers(b.group.id, [memberRecord(b.group.id, user, 'member', at(2))], 10);
        await ctx.store.groups.updateMember(b.group.id, user, { role: 'admin' });
        const memberships = await ctx.store.groups.listMembershipsOfUser(user);
        expect(memberships.map((m) => [m.groupId, m.role]).sort()).toEqual(
          [
            [a.group.id, 'member'],
            [b.group.id, 'admin'],
          ].sort(),
        );
        expect(await ctx.store.groups.listMembershipsOfUser(ids.next())).toEqual([]);
      });

      test('removeAllMembers empties the group and answers the former member ids', async (ctx) => {
        const { group, ownerId, memberIds } = await seedGroup(ctx, 3);
        const other = await seedGroup(ctx, 0, { ownerId: memberIds[0]! });
        const former = await ctx.store.groups.removeAllMembers(group.id);
        expect(former.sort()).toEqual([ownerId, ...memberIds].sort());
        expect(await storedCount(ctx, group.id)).toBe(0);
        expect(await ctx.store.groups.listMemberIds(group.id)).toEqual([]);
        for (const id of former) expect(await isStoredMember(ctx, group.id, id)).toBe(false);
        expect(await ctx.store.groups.listMembershipsOfUser(ownerId)).toEqual([]);
        // Memberships elsewhere stay.
        expect((await ctx.store.groups.listMembershipsOfUser(memberIds[0]!)).map((m) => m.groupId)).toEqual([
          other.group.id,
        ]);
        expect(await ctx.store.groups.get(group.id)).not.toBeNull();
        expect(await ctx.store.groups.removeAllMembers(group.id)).toEqual([]);
      });

      test('createJoinRequest creates one pending request per user and group', async (ctx) => {
        const { group } = await seedGroup(ctx);
        const other = await seedGroup(ctx);
        const user = ids.next();
        const first = joinRequest(group.id, user);
        const created = await ctx.store.groups.createJoinRequest(first);
        expect(created).toEqual({ request: first, created: true });
        const again = await ctx.store.groups.createJoinRequest(joinRequest(group.id, user, at(5)));
        expect(again).toEqual({ request: first, created: false });
        expect(await ctx.store.groups.getJoinRequest(again.request.id)).toEqual(first);
        // Another group, or another user, is a different request.
        expect((await ctx.store.groups.createJoinRequest(joinRequest(other.group.id, user))).created).toBe(
          true,
        );
        expect((await ctx.store.groups.createJoinRequest(joinRequest(group.id, ids.next()))).created).toBe(
          true,
        );
        // Once resolved, the user may ask again.
        await ctx.store.groups.resolveJoinRequest(first.id, 'rejected', group.ownerId, at(6));
        const fresh = joinRequest(group.id, user, at(7));
        expect(await ctx.store.groups.createJoinRequest(fresh)).toEqual({ request: fresh, created: true });
      });

      test('concurrent createJoinRequest calls create exactly one request', async (ctx) => {
        const { group } = await seedGroup(ctx);
        const user = ids.next();
        const results = await Promise.all(
          Array.from({ length: 6 }, () => ctx.store.groups.createJoinRequest(joinRequest(group.id, user))),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const ids_ = new Set(results.map((r) => r.request.id));
        expect(ids_.size).toBe(1);
        const pending = await ctx.store.groups.listPendingJoinRequests(group.id, { limit: 10 });
        expect(pending.items).toHaveLength(1);
      });

      test('getJoinRequest answers null for an unknown id', async (ctx) => {
        expect(await ctx.store.groups.getJoinRequest(ids.next())).toBeNull();
      });

      test('listPendingJoinRequests lists pending requests of one group, oldest first, by cursor', async (ctx) => {
        const { group } = await seedGroup(ctx);
        const other = await seedGroup(ctx);
        const requests = [at(3), at(1), at(4), at(2), at(5)].map((t) => joinRequest(group.id, ids.next(), t));
        for (const r of requests) await ctx.store.groups.createJoinRequest(r);
        await ctx.store.groups.createJoinRequest(joinRequest(other.group.id, ids.next()));
        const resolved = requests[2]!;
        await ctx.store.groups.resolveJoinRequest(resolved.id, 'approved', group.ownerId, at(9));
        const expected = requests
          .filter((r) => r !== resolved)
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
          .map((r) => r.id);
        const first = await ctx.store.groups.listPendingJoinRequests(group.id, { limit: 3 });
        expect(first.items.map((r) => r.id)).toEqual(expected.slice(0, 3));
        expect(first.hasMore).toBe(true);
        const second = await ctx.store.groups.listPendingJoinRequests(group.id, {
          limit: 3,
          cursor: first.nextCursor ?? undefined,
        });
        expect(second.items.map((r) => r.id)).toEqual(expected.slice(3));
        expect(second).toMatchObject({ hasMore: false, nextCursor: null });
        expect(second.items.every((r) => r.status === 'pending')).toBe(true);
      });

      test('resolveJoinRequest moves a pending request once and answers null afterwards', async (ctx) => {
        const { group } = await seedGroup(ctx);
        const request = joinRequest(group.id, ids.next());
        await ctx.store.groups.createJoinRequest(request);
        const resolved = await ctx.store.groups.resolveJoinRequest(
          request.id,
          'approved',
          group.ownerId,
          at(10),
        );
        expect(resolved).toEqual({
          ...request,
          status: 'approved',
          resolvedAt: at(10),
          resolvedBy: group.ownerId,
        });
        expect(await ctx.store.groups.getJoinRequest(request.id)).toEqual(resolved);
        expect(
          await ctx.store.groups.resolveJoinRequest(request.id, 'rejected', group.ownerId, at(11)),
        ).toBeNull();
        expect((await ctx.store.groups.getJoinRequest(request.id))?.status).toBe('approved');
        expect(
          await ctx.store.groups.resolveJoinRequest(ids.next(), 'rejected', group.ownerId, at(11)),
        ).toBeNull();
      });

      test('of concurrent resolveJoinRequest calls exactly one wins', async (ctx) => {
        const { group } = await seedGroup(ctx);
        const request = joinRequest(group.id, ids.next());
        await ctx.store.groups.createJoinRequest(request);
        const results = await Promise.all([
          ctx.store.groups.resolveJoinRequest(request.id, 'approved', group.ownerId, at(1)),
          ctx.store.groups.resolveJoinRequest(request.id, 'rejected', group.ownerId, at(1)),
          ctx.store.groups.resolveJoinRequest(request.id, 'approved', group.ownerId, at(1)),
        ]);
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect((await ctx.store.groups.getJoinRequest(request.id))?.status).toBe(winners[0]?.status);
      });
    },
  );
}
