/**
 * The groups area: groups, memberships and join requests. Every write that touches more than one
 * row (create with the first members, addMembers against the capacity, removeMember with the
 * count, removeAllMembers) is one transaction; the group row is written first, so concurrent adds
 * to one group queue on it and the capacity check sees every earlier add.
 */
import {
  ChatError,
  type GroupAnnouncement,
  type GroupMemberRecord,
  type GroupPatch,
  type GroupRecord,
  type GroupRole,
  type GroupStore,
  type JoinPolicy,
  type JoinRequestRecord,
  type JoinRequestStatus,
  type Page,
} from '@parley/chat-core';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { type Codec, readBool, readDate, readDateOrNull } from './codec.js';
import type { GroupMembersTable, GroupsTable, JoinRequestsTable } from './database.js';
import { guard } from './errors.js';
import { definedEntries, type Ready } from './handle.js';
import { decodeCursor, emptyPage, encodeCursor, TIME_ID, toPage } from './paging.js';

const ROLE_RANK: Record<GroupRole, number> = { owner: 0, admin: 1, member: 2 };
const MEMBER_CURSOR = { r: 'number', t: 'number', u: 'string' } as const;

function encodeAnnouncement(announcement: GroupAnnouncement | null): string | null {
  if (announcement === null) return null;
  return JSON.stringify({
    text: announcement.text,
    updatedAt: announcement.updatedAt.getTime(),
    updatedBy: announcement.updatedBy,
  });
}

function decodeAnnouncement(value: string | null): GroupAnnouncement | null {
  if (value === null) return null;
  const parsed = JSON.parse(value) as { text: string; updatedAt: number; updatedBy: string };
  return { text: parsed.text, updatedAt: new Date(parsed.updatedAt), updatedBy: parsed.updatedBy };
}

export function toGroup(row: Selectable<GroupsTable>): GroupRecord {
  return {
    id: row.id,
    name: row.name,
    avatarUrl: row.avatar_url,
    ownerId: row.owner_id,
    announcement: decodeAnnouncement(row.announcement),
    joinPolicy: row.join_policy as JoinPolicy,
    muteAll: readBool(row.mute_all),
    maxMembers: row.max_members,
    memberCount: row.member_count,
    inviteVersion: row.invite_version,
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
    dissolvedAt: readDateOrNull(row.dissolved_at),
  };
}

export function toMember(row: Selectable<GroupMembersTable>): GroupMemberRecord {
  return {
    groupId: row.group_id,
    userId: row.user_id,
    role: row.role as GroupRole,
    mutedUntil: readDateOrNull(row.muted_until),
    joinedAt: readDate(row.joined_at),
  };
}

function toJoinRequest(row: Selectable<JoinRequestsTable>): JoinRequestRecord {
  return {
    id: row.id,
    groupId: row.group_id,
    userId: row.user_id,
    message: row.message,
    status: row.status as JoinRequestStatus,
    createdAt: readDate(row.created_at),
    resolvedAt: readDateOrNull(row.resolved_at),
    resolvedBy: row.resolved_by,
  };
}

function memberRow(codec: Codec, groupId: string, member: GroupMemberRecord): Insertable<GroupMembersTable> {
  return {
    group_id: groupId,
    user_id: member.userId,
    role: member.role,
    role_rank: ROLE_RANK[member.role],
    muted_until: codec.dateOrNull(member.mutedUntil),
    joined_at: codec.date(member.joinedAt),
  };
}

/** The members without repeats of a user id (the first one counts), as memoryStore keeps them. */
function distinctMembers(members: readonly GroupMemberRecord[]): GroupMemberRecord[] {
  const seen = new Map<string, GroupMemberRecord>();
  for (const member of members) if (!seen.has(member.userId)) seen.set(member.userId, member);
  return [...seen.values()];
}

/** Rows are bound in chunks so no statement passes the drivers' parameter limits. */
const CHUNK = 200;

export function sqlGroupStore(ready: Ready): GroupStore {
  return {
    create: (group, initial) =>
      guard(async () => {
        const { db, codec } = await ready();
        const members = distinctMembers(initial);
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('parley_groups')
            .values({
              id: group.id,
              name: group.name,
              avatar_url: group.avatarUrl,
              owner_id: group.ownerId,
              announcement: encodeAnnouncement(group.announcement),
              join_policy: group.joinPolicy,
              mute_all: codec.bool(group.muteAll),
              max_members: group.maxMembers,
              member_count: members.length,
              invite_version: group.inviteVersion,
              created_at: codec.date(group.createdAt),
              updated_at: codec.date(group.updatedAt),
              dissolved_at: codec.dateOrNull(group.dissolvedAt),
            })
            .execute();
          for (let i = 0; i < members.length; i += CHUNK) {
            await trx
              .insertInto('parley_group_members')
              .values(members.slice(i, i + CHUNK).map((m) => memberRow(codec, group.id, m)))
              .execute();
          }
        });
        return { ...structuredClone(group), memberCount: members.length };
      }),

    get: (id) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db.selectFrom('parley_groups').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? toGroup(row) : null;
      }),

    getMany: (ids) =>
      guard(async () => {
        if (ids.length === 0) return [];
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_groups')
          .selectAll()
          .where('id', 'in', [...new Set(ids)])
          .execute();
        return rows.map(toGroup);
      }),

    update: (id, patch: GroupPatch) =>
      guard(async () => {
        const { db, codec } = await ready();
        const p = definedEntries(patch);
        const set: Updateable<GroupsTable> = {};
        if (p.name !== undefined) set.name = p.name;
        if (p.avatarUrl !== undefined) set.avatar_url = p.avatarUrl;
        if (p.ownerId !== undefined) set.owner_id = p.ownerId;
        if (p.announcement !== undefined) set.announcement = encodeAnnouncement(p.announcement);
        if (p.joinPolicy !== undefined) set.join_policy = p.joinPolicy;
        if (p.muteAll !== undefined) set.mute_all = codec.bool(p.muteAll);
        if (p.inviteVersion !== undefined) set.invite_version = p.inviteVersion;
        if (p.updatedAt !== undefined) set.updated_at = codec.date(p.updatedAt);
        if (p.dissolvedAt !== undefined) set.dissolved_at = codec.dateOrNull(p.dissolvedAt);
        if (Object.keys(set).length === 0) {
          const row = await db
            .selectFrom('parley_groups')
            .selectAll()
            .where('id', '=', id)
            .executeTakeFirst();
          return row ? toGroup(row) : null;
        }
        const row = await db
          .updateTable('parley_groups')
          .set(set)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row ? toGroup(row) : null;
      }),

    addMembers: (groupId, incoming, maxMembers) =>
      guard(async () => {
        const { db, codec } = await ready();
        return db.transaction().execute(async (trx) => {
          // A no-op write that takes the group's row lock (PostgreSQL) or the writer lock (SQLite)
          // before anything is read: concurrent adds run one after the other against the count.
          const group = await trx
            .updateTable('parley_groups')
            .set((eb) => ({ member_count: eb.ref('member_count') }))
            .where('id', '=', groupId)
            .returning('member_count')
            .executeTakeFirst();
          if (!group) return [];
          const wanted = distinctMembers(incoming);
          if (wanted.length === 0) return [];
          const present = new Set<string>();
          for (let i = 0; i < wanted.length; i += CHUNK) {
            const rows = await trx
              .selectFrom('parley_group_members')
              .select('user_id')
              .where('group_id', '=', groupId)
              .where(
                'user_id',
                'in',
                wanted.slice(i, i + CHUNK).map((m) => m.userId),
              )
              .execute();
            for (const row of rows) present.add(row.user_id);
          }
          const fresh = wanted.filter((m) => !present.has(m.userId));
          if (group.member_count + fresh.length > maxMembers) {
            throw new ChatError('GROUP_FULL', undefined, {
              details: { maxMembers, memberCount: group.member_count },
            });
          }
          if (fresh.length === 0) return [];
          for (let i = 0; i < fresh.length; i += CHUNK) {
            await trx
              .insertInto('parley_group_members')
              .values(fresh.slice(i, i + CHUNK).map((m) => memberRow(codec, groupId, m)))
              .execute();
          }
          await trx
            .updateTable('parley_groups')
            .set((eb) => ({ member_count: eb('member_count', '+', fresh.length) }))
            .where('id', '=', groupId)
            .execute();
          return fresh.map((m) => ({ ...structuredClone(m), groupId }));
        });
      }),

    removeMember: (groupId, userId) =>
      guard(async () => {
        const { db } = await ready();
        return db.transaction().execute(async (trx) => {
          const removed = await trx
            .deleteFrom('parley_group_members')
            .where('group_id', '=', groupId)
            .where('user_id', '=', userId)
            .executeTakeFirst();
          if (Number(removed.numDeletedRows) === 0) return false;
          await trx
            .updateTable('parley_groups')
            .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
            .where('id', '=', groupId)
            .execute();
          return true;
        });
      }),

    getMember: (groupId, userId) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_group_members')
          .selectAll()
          .where('group_id', '=', groupId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return row ? toMember(row) : null;
      }),

    updateMember: (groupId, userId, patch) =>
      guard(async () => {
        const { db, codec } = await ready();
        const p = definedEntries(patch);
        const set: Updateable<GroupMembersTable> = {};
        if (p.role !== undefined) {
          set.role = p.role;
          set.role_rank = ROLE_RANK[p.role];
        }
        if (p.mutedUntil !== undefined) set.muted_until = codec.dateOrNull(p.mutedUntil);
        const query =
          Object.keys(set).length === 0 ? db.selectFrom('parley_group_members').selectAll() : null;
        if (query) {
          const row = await query
            .where('group_id', '=', groupId)
            .where('user_id', '=', userId)
            .executeTakeFirst();
          return row ? toMember(row) : null;
        }
        const row = await db
          .updateTable('parley_group_members')
          .set(set)
          .where('group_id', '=', groupId)
          .where('user_id', '=', userId)
          .returningAll()
          .executeTakeFirst();
        return row ? toMember(row) : null;
      }),

    listMembers: (groupId, page) =>
      guard(async (): Promise<Page<GroupMemberRecord>> => {
        const list = `members:${groupId}`;
        const after = decodeCursor(list, page.cursor, MEMBER_CURSOR);
        if (page.limit < 1) return emptyPage<GroupMemberRecord>();
        const { db, codec } = await ready();
        const rows = await db
          .selectFrom('parley_group_members')
          .selectAll()
          .where('group_id', '=', groupId)
          .$if(after !== null, (q) =>
            q.where((eb) =>
              eb(
                eb.refTuple('role_rank', 'joined_at', 'user_id'),
                '>',
                eb.tuple(Number(after?.r), codec.date(new Date(Number(after?.t))), String(after?.u)),
              ),
            ),
          )
          .orderBy('role_rank')
          .orderBy('joined_at')
          .orderBy('user_id')
          .limit(page.limit + 1)
          .execute();
        return toPage(rows, page.limit, toMember, (last) =>
          encodeCursor(list, { r: last.role_rank, t: readDate(last.joined_at).getTime(), u: last.user_id }),
        );
      }),

    listMemberIds: (groupId) =>
      guard(async () => {
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_group_members')
          .select('user_id')
          .where('group_id', '=', groupId)
          .execute();
        return rows.map((row) => row.user_id);
      }),

    listMembersByRole: (groupId, roles) =>
      guard(async () => {
        if (roles.length === 0) return [];
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_group_members')
          .selectAll()
          .where('group_id', '=', groupId)
          .where(
            'role_rank',
            'in',
            [...new Set(roles)].map((role) => ROLE_RANK[role]),
          )
          .orderBy('role_rank')
          .orderBy('joined_at')
          .orderBy('user_id')
          .execute();
        return rows.map(toMember);
      }),

    listMembershipsOfUser: (userId) =>
      guard(async () => {
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_group_members')
          .selectAll()
          .where('user_id', '=', userId)
          .execute();
        return rows.map(toMember);
      }),

    removeAllMembers: (groupId) =>
      guard(async () => {
        const { db } = await ready();
        return db.transaction().execute(async (trx) => {
          const removed = await trx
            .deleteFrom('parley_group_members')
            .where('group_id', '=', groupId)
            .returning('user_id')
            .execute();
          await trx.updateTable('parley_groups').set({ member_count: 0 }).where('id', '=', groupId).execute();
          return removed.map((row) => row.user_id);
        });
      }),

    createJoinRequest: (request) =>
      guard(async () => {
        const { db, codec } = await ready();
        const stored: JoinRequestRecord = {
          ...structuredClone(request),
          status: 'pending',
          resolvedAt: null,
          resolvedBy: null,
        };
        for (let attempt = 0; ; attempt++) {
          const inserted = await db
            .insertInto('parley_join_requests')
            .values({
              id: stored.id,
              group_id: stored.groupId,
              user_id: stored.userId,
              message: stored.message,
              status: 'pending',
              created_at: codec.date(stored.createdAt),
              resolved_at: null,
              resolved_by: null,
            })
            // The partial unique key on pending (group, user) decides concurrent creates.
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .executeTakeFirst();
          if (inserted) return { request: stored, created: true };
          const pending = await db
            .selectFrom('parley_join_requests')
            .selectAll()
            .where('group_id', '=', stored.groupId)
            .where('user_id', '=', stored.userId)
            .where('status', '=', 'pending')
            .executeTakeFirst();
          if (pending) return { request: toJoinRequest(pending), created: false };
          if (attempt >= 2)
            throw new Error('createJoinRequest: could not insert or find the pending request');
        }
      }),

    getJoinRequest: (id) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_join_requests')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? toJoinRequest(row) : null;
      }),

    listPendingJoinRequests: (groupId, page) =>
      guard(async () => {
        const list = `join-requests:${groupId}`;
        const after = decodeCursor(list, page.cursor, TIME_ID);
        if (page.limit < 1) return emptyPage<JoinRequestRecord>();
        const { db, codec } = await ready();
        const rows = await db
          .selectFrom('parley_join_requests')
          .selectAll()
          .where('group_id', '=', groupId)
          .where('status', '=', 'pending')
          .$if(after !== null, (q) =>
            q.where((eb) =>
              eb(
                eb.refTuple('created_at', 'id'),
                '>',
                eb.tuple(codec.date(new Date(Number(after?.t))), String(after?.i)),
              ),
            ),
          )
          .orderBy('created_at')
          .orderBy('id')
          .limit(page.limit + 1)
          .execute();
        return toPage(rows, page.limit, toJoinRequest, (last) =>
          encodeCursor(list, { t: readDate(last.created_at).getTime(), i: last.id }),
        );
      }),

    resolveJoinRequest: (id, status, by, at) =>
      guard(async () => {
        const { db, codec } = await ready();
        const row = await db
          .updateTable('parley_join_requests')
          .set({ status, resolved_at: codec.date(at), resolved_by: by })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .returningAll()
          .executeTakeFirst();
        return row ? toJoinRequest(row) : null;
      }),
  };
}
