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
  type MemberPatch,
} from '@parley/chat-core';
import { type Handle, inTransaction } from './connection.js';
import { guard, insertOrFindWinner, writeErrorsOf } from './errors.js';
import { fromStoredId, fromStoredIdOrNull, toStoredId, toStoredIds } from './ids.js';
import {
  afterTimeKey,
  type Doc,
  date,
  dateOrNull,
  decodeCursor,
  definedEntries,
  encodeCursor,
  op,
  stringOrNull,
  TIME_ID,
  toPage,
} from './paging.js';

/** Listing order of roles: owner, admins, members. */
export const ROLE_RANK: Record<GroupRole, number> = { owner: 0, admin: 1, member: 2 };

function toAnnouncement(value: unknown): GroupAnnouncement | null {
  if (typeof value !== 'object' || value === null) return null;
  const a = value as Doc;
  return { text: String(a.text), updatedAt: date(a.updatedAt), updatedBy: fromStoredId(a.updatedBy) };
}

function toGroup(doc: Doc): GroupRecord {
  return {
    id: fromStoredId(doc._id),
    name: String(doc.name),
    avatarUrl: stringOrNull(doc.avatarUrl),
    ownerId: fromStoredId(doc.ownerId),
    announcement: toAnnouncement(doc.announcement),
    joinPolicy: doc.joinPolicy as JoinPolicy,
    muteAll: doc.muteAll === true,
    maxMembers: Number(doc.maxMembers),
    memberCount: Number(doc.memberCount ?? 0),
    inviteVersion: Number(doc.inviteVersion ?? 0),
    createdAt: date(doc.createdAt),
    updatedAt: date(doc.updatedAt),
    dissolvedAt: dateOrNull(doc.dissolvedAt),
  };
}

function toMember(doc: Doc): GroupMemberRecord {
  return {
    groupId: fromStoredId(doc.groupId),
    userId: fromStoredId(doc.userId),
    role: doc.role as GroupRole,
    mutedUntil: dateOrNull(doc.mutedUntil),
    joinedAt: date(doc.joinedAt),
  };
}

function toJoinRequest(doc: Doc): JoinRequestRecord {
  return {
    id: fromStoredId(doc._id),
    groupId: fromStoredId(doc.groupId),
    userId: fromStoredId(doc.userId),
    message: stringOrNull(doc.message),
    status: doc.status as JoinRequestStatus,
    createdAt: date(doc.createdAt),
    resolvedAt: dateOrNull(doc.resolvedAt),
    resolvedBy: fromStoredIdOrNull(doc.resolvedBy),
  };
}

function memberDocument(groupId: string, member: GroupMemberRecord): Doc {
  return {
    groupId: toStoredId(groupId),
    userId: toStoredId(member.userId),
    role: member.role,
    roleRank: ROLE_RANK[member.role],
    mutedUntil: member.mutedUntil,
    joinedAt: member.joinedAt,
  };
}

function groupPatchDocument(patch: GroupPatch): Doc {
  const set: Doc = definedEntries(patch);
  if (patch.ownerId !== undefined) set.ownerId = toStoredId(patch.ownerId);
  if (patch.announcement !== undefined) {
    set.announcement =
      patch.announcement === null
        ? null
        : {
            text: patch.announcement.text,
            updatedAt: patch.announcement.updatedAt,
            updatedBy: toStoredId(patch.announcement.updatedBy),
          };
  }
  return set;
}

const MEMBER_ORDER = { roleRank: 1, joinedAt: 1, userId: 1 } as const;

/**
 * The groups area: `groups` (with `memberCount`), `group_members` and `join_requests`.
 * Capacity is enforced by a conditional `$inc` of `memberCount` guarded by
 * `memberCount <= maxMembers - n`, so concurrent adds can never pass `maxMembers`.
 */
export function mongoGroupStore(ready: () => Promise<Handle>): GroupStore {
  return {
    create: (group, members) =>
      guard(async () => {
        const handle = await ready();
        const unique = new Map<string, GroupMemberRecord>();
        for (const member of members) if (!unique.has(member.userId)) unique.set(member.userId, member);
        const doc: Doc = {
          _id: toStoredId(group.id),
          name: group.name,
          avatarUrl: group.avatarUrl,
          ownerId: toStoredId(group.ownerId),
          announcement: group.announcement
            ? {
                text: group.announcement.text,
                updatedAt: group.announcement.updatedAt,
                updatedBy: toStoredId(group.announcement.updatedBy),
              }
            : null,
          joinPolicy: group.joinPolicy,
          muteAll: group.muteAll,
          maxMembers: group.maxMembers,
          memberCount: unique.size,
          inviteVersion: group.inviteVersion,
          createdAt: group.createdAt,
          updatedAt: group.updatedAt,
          dissolvedAt: group.dissolvedAt,
        };
        const memberDocs = [...unique.values()].map((member) => memberDocument(group.id, member));
        await inTransaction(handle, async (session) => {
          const options = session ? { session } : {};
          await handle.models.groups.collection.insertOne(doc, options);
          if (memberDocs.length > 0)
            await handle.models.group_members.collection.insertMany(memberDocs, options);
        });
        return toGroup(doc);
      }),

    get: (id) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.groups.findOne({ _id: toStoredId(id) }).lean<Doc>();
        return doc ? toGroup(doc) : null;
      }),

    getMany: (ids) =>
      guard(async () => {
        if (ids.length === 0) return [];
        const { models } = await ready();
        const docs = await models.groups.find({ _id: op({ $in: toStoredIds(ids) }) }).lean<Doc[]>();
        return docs.map(toGroup);
      }),

    update: (id, patch) =>
      guard(async () => {
        const { models } = await ready();
        const set = groupPatchDocument(patch);
        const doc =
          Object.keys(set).length === 0
            ? await models.groups.findOne({ _id: toStoredId(id) }).lean<Doc>()
            : await models.groups
                .findOneAndUpdate({ _id: toStoredId(id) }, { $set: set }, { returnDocument: 'after' })
                .lean<Doc>();
        return doc ? toGroup(doc) : null;
      }),

    addMembers: (groupId, incoming, maxMembers) =>
      guard(async () => {
        const { models } = await ready();
        const gid = toStoredId(groupId);
        const unique = new Map<string, GroupMemberRecord>();
        for (const member of incoming) if (!unique.has(member.userId)) unique.set(member.userId, member);
        const existing = await models.group_members
          .find({ groupId: gid, userId: op({ $in: toStoredIds([...unique.keys()]) }) }, { userId: 1, _id: 0 })
          .lean<Doc[]>();
        for (const doc of existing) unique.delete(fromStoredId(doc.userId));
        const fresh = [...unique.values()];
        const n = fresh.length;
        // Reserve the places first, atomically against the capacity.
        const reserved = await models.groups
          .findOneAndUpdate(
            { _id: gid, memberCount: op({ $lte: maxMembers - n }) },
            { $inc: { memberCount: n } },
            { returnDocument: 'after', projection: { memberCount: 1 } },
          )
          .lean<Doc>();
        if (!reserved) {
          const group = await models.groups.findOne({ _id: gid }, { memberCount: 1 }).lean<Doc>();
          if (!group) return [];
          throw new ChatError('GROUP_FULL', undefined, {
            details: { maxMembers, memberCount: Number(group.memberCount ?? 0) },
          });
        }
        if (n === 0) return [];
        const docs = fresh.map((member) => memberDocument(groupId, member));
        let failed = new Set<number>();
        try {
          await models.group_members.collection.insertMany(docs, { ordered: false });
        } catch (error) {
          const errors = writeErrorsOf(error);
          if (errors.length === 0 || errors.some((e) => e.code !== 11000 && e.code !== 11001)) {
            // Not known which were written: give back every reserved place not backed by a document.
            const count = await models.group_members.countDocuments({ groupId: gid });
            await models.groups.updateOne({ _id: gid }, { $set: { memberCount: count } });
            throw error;
          }
          // Joined concurrently by another call: those places were counted twice, give them back.
          failed = new Set(errors.map((e) => e.index));
          await models.groups.updateOne({ _id: gid }, { $inc: { memberCount: -failed.size } });
        }
        return fresh
          .filter((_, index) => !failed.has(index))
          .map((member) => ({ ...member, groupId, joinedAt: new Date(member.joinedAt.getTime()) }));
      }),

    removeMember: (groupId, userId) =>
      guard(async () => {
        const { models } = await ready();
        const gid = toStoredId(groupId);
        const result = await models.group_members.deleteOne({ groupId: gid, userId: toStoredId(userId) });
        if (result.deletedCount !== 1) return false;
        await models.groups.updateOne({ _id: gid }, { $inc: { memberCount: -1 } });
        return true;
      }),

    getMember: (groupId, userId) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.group_members
          .findOne({ groupId: toStoredId(groupId), userId: toStoredId(userId) })
          .lean<Doc>();
        return doc ? toMember(doc) : null;
      }),

    updateMember: (groupId, userId, patch: MemberPatch) =>
      guard(async () => {
        const { models } = await ready();
        const set: Doc = definedEntries(patch);
        if (patch.role !== undefined) set.roleRank = ROLE_RANK[patch.role];
        const filter = { groupId: toStoredId(groupId), userId: toStoredId(userId) };
        const doc =
          Object.keys(set).length === 0
            ? await models.group_members.findOne(filter).lean<Doc>()
            : await models.group_members
                .findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' })
                .lean<Doc>();
        return doc ? toMember(doc) : null;
      }),

    listMembers: (groupId, page) =>
      guard(async () => {
        const { models } = await ready();
        const cursor = decodeCursor(page.cursor, { r: 'number', t: 'number', u: 'string' });
        const after: Doc = cursor
          ? (() => {
              const r = Number(cursor.r);
              const t = new Date(Number(cursor.t));
              const u = toStoredId(String(cursor.u));
              return {
                $or: [
                  { roleRank: op({ $gt: r }) },
                  { roleRank: r, joinedAt: op({ $gt: t }) },
                  { roleRank: r, joinedAt: t, userId: op({ $gt: u }) },
                ],
              };
            })()
          : {};
        const docs = await models.group_members
          .find({ groupId: toStoredId(groupId), ...after })
          .sort(MEMBER_ORDER)
          .limit(page.limit + 1)
          .lean<Doc[]>();
        return toPage(docs.map(toMember), page.limit, (last) =>
          encodeCursor({ r: ROLE_RANK[last.role], t: last.joinedAt.getTime(), u: last.userId }),
        );
      }),

    listMemberIds: (groupId) =>
      guard(async () => {
        const { models } = await ready();
        const docs = await models.group_members
          .find({ groupId: toStoredId(groupId) }, { userId: 1, _id: 0 })
          .lean<Doc[]>();
        return docs.map((doc) => fromStoredId(doc.userId));
      }),

    listMembersByRole: (groupId, roles) =>
      guard(async () => {
        if (roles.length === 0) return [];
        const { models } = await ready();
        const docs = await models.group_members
          .find({
            groupId: toStoredId(groupId),
            roleRank: op({ $in: [...new Set(roles)].map((r) => ROLE_RANK[r]) }),
          })
          .sort(MEMBER_ORDER)
          .lean<Doc[]>();
        return docs.map(toMember);
      }),

    listMembershipsOfUser: (userId) =>
      guard(async () => {
        const { models } = await ready();
        const docs = await models.group_members.find({ userId: toStoredId(userId) }).lean<Doc[]>();
        return docs.map(toMember);
      }),

    removeAllMembers: (groupId) =>
      guard(async () => {
        const { models } = await ready();
        const gid = toStoredId(groupId);
        const docs = await models.group_members.find({ groupId: gid }, { userId: 1, _id: 0 }).lean<Doc[]>();
        const ids = docs.map((doc) => fromStoredId(doc.userId));
        await models.group_members.deleteMany({ groupId: gid });
        await models.groups.updateOne({ _id: gid }, { $set: { memberCount: 0 } });
        return ids;
      }),

    createJoinRequest: (request) =>
      guard(async () => {
        const { models } = await ready();
        const doc: Doc = {
          _id: toStoredId(request.id),
          groupId: toStoredId(request.groupId),
          userId: toStoredId(request.userId),
          message: request.message,
          status: 'pending',
          createdAt: request.createdAt,
          resolvedAt: null,
          resolvedBy: null,
        };
        // The partial unique index on pending (groupId, userId) decides concurrent creates.
        const stored = await insertOrFindWinner(
          doc,
          () => models.join_requests.collection.insertOne(doc),
          () =>
            models.join_requests
              .findOne({ groupId: doc.groupId, userId: doc.userId, status: 'pending' })
              .lean<Doc>(),
        );
        return { request: toJoinRequest(stored.doc), created: stored.created };
      }),

    getJoinRequest: (id) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.join_requests.findOne({ _id: toStoredId(id) }).lean<Doc>();
        return doc ? toJoinRequest(doc) : null;
      }),

    listPendingJoinRequests: (groupId, page) =>
      guard(async () => {
        const { models } = await ready();
        const cursor = decodeCursor(page.cursor, TIME_ID);
        const docs = await models.join_requests
          .find({
            groupId: toStoredId(groupId),
            status: 'pending',
            ...afterTimeKey('asc', 'createdAt', '_id', cursor),
          })
          .sort({ createdAt: 1, _id: 1 })
          .limit(page.limit + 1)
          .lean<Doc[]>();
        return toPage(docs.map(toJoinRequest), page.limit, (last) =>
          encodeCursor({ t: last.createdAt.getTime(), i: last.id }),
        );
      }),

    resolveJoinRequest: (id, status, by, at) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.join_requests
          .findOneAndUpdate(
            { _id: toStoredId(id), status: 'pending' },
            { $set: { status, resolvedAt: at, resolvedBy: toStoredId(by) } },
            { returnDocument: 'after' },
          )
          .lean<Doc>();
        return doc ? toJoinRequest(doc) : null;
      }),
  };
}
