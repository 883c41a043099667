import type { GroupMemberRecord, GroupRecord, GroupRole, JoinRequestRecord } from '../../domain/records.js';
import { ChatError } from '../../errors.js';
import type { GroupPatch, GroupStore, MemberPatch, Page } from '../../ports/store.js';
import { decodeCursor, encodeCursor, firstPage } from './paging.js';

const ROLE_RANK: Record<GroupRole, number> = { owner: 0, admin: 1, member: 2 };

/** Where a page of members resumes: the sort key of the last member handed out. */
interface MemberCursor {
  r: number;
  t: number;
  u: string;
}

function memberKey(member: GroupMemberRecord): MemberCursor {
  return { r: ROLE_RANK[member.role], t: member.joinedAt.getTime(), u: member.userId };
}

function compareKeys(a: MemberCursor, b: MemberCursor): number {
  if (a.r !== b.r) return a.r - b.r;
  if (a.t !== b.t) return a.t - b.t;
  return a.u < b.u ? -1 : a.u > b.u ? 1 : 0;
}

function compareMembers(a: GroupMemberRecord, b: GroupMemberRecord): number {
  return compareKeys(memberKey(a), memberKey(b));
}

function isMemberCursor(value: unknown): value is MemberCursor {
  const v = value as Partial<MemberCursor> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.r === 'number' &&
    typeof v.t === 'number' &&
    typeof v.u === 'string'
  );
}

function isRequestCursor(value: unknown): value is { t: number; i: string } {
  const v = value as { t?: unknown; i?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.t === 'number' && typeof v.i === 'string';
}

/** Copies out of and into the store, so callers never share objects with it. */
const copy = <T>(record: T): T => structuredClone(record);

/** Drops `undefined` so a patch only touches the fields it names. */
function definedEntries<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The groups area of `memoryStore()`. Indexes: groups by id, members by group then user, group ids
 * by user, join requests by id and the pending one by (group, user). Every method runs without an
 * `await` between its read and its write, which makes it atomic in a single-threaded process.
 */
export function memoryGroupStore(): GroupStore {
  const groups = new Map<string, GroupRecord>();
  const members = new Map<string, Map<string, GroupMemberRecord>>();
  const groupsOfUser = new Map<string, Set<string>>();
  const joinRequests = new Map<string, JoinRequestRecord>();
  /** `${groupId}\u0000${userId}` → id of the pending request. */
  const pendingJoin = new Map<string, string>();
  /** groupId → ids of its pending requests. */
  const pendingOfGroup = new Map<string, Set<string>>();

  const pendingKey = (groupId: string, userId: string) => `${groupId}\u0000${userId}`;

  function membersOf(groupId: string): Map<string, GroupMemberRecord> {
    let map = members.get(groupId);
    if (!map) {
      map = new Map();
      members.set(groupId, map);
    }
    return map;
  }

  function indexMembership(userId: string, groupId: string): void {
    let set = groupsOfUser.get(userId);
    if (!set) {
      set = new Set();
      groupsOfUser.set(userId, set);
    }
    set.add(groupId);
  }

  function unindexMembership(userId: string, groupId: string): void {
    const set = groupsOfUser.get(userId);
    if (!set) return;
    set.delete(groupId);
    if (set.size === 0) groupsOfUser.delete(userId);
  }

  function setCount(groupId: string): void {
    const group = groups.get(groupId);
    if (group) group.memberCount = members.get(groupId)?.size ?? 0;
  }

  return {
    async create(group, initial) {
      const stored = copy(group);
      groups.set(stored.id, stored);
      const map = membersOf(stored.id);
      for (const member of initial) {
        if (map.has(member.userId)) continue;
        map.set(member.userId, copy({ ...member, groupId: stored.id }));
        indexMembership(member.userId, stored.id);
      }
      setCount(stored.id);
      return copy(stored);
    },

    async get(id) {
      const group = groups.get(id);
      return group ? copy(group) : null;
    },

    async getMany(ids) {
      const found: GroupRecord[] = [];
      for (const id of new Set(ids)) {
        const group = groups.get(id);
        if (group) found.push(copy(group));
      }
      return found;
    },

    async update(id, patch: GroupPatch) {
      const group = groups.get(id);
      if (!group) return null;
      Object.assign(group, copy(definedEntries(patch)));
      return copy(group);
    },

    async addMembers(groupId, incoming, maxMembers) {
      const group = groups.get(groupId);
      if (!group) return [];
      const map = membersOf(groupId);
      const fresh = new Map<string, GroupMemberRecord>();
      for (const member of incoming) {
        if (!map.has(member.userId) && !fresh.has(member.userId)) fresh.set(member.userId, member);
      }
      if (map.size + fresh.size > maxMembers) {
        throw new ChatError('GROUP_FULL', undefined, {
          details: { maxMembers, memberCount: map.size },
        });
      }
      const added: GroupMemberRecord[] = [];
      for (const member of fresh.values()) {
        const stored = copy({ ...member, groupId });
        map.set(member.userId, stored);
        indexMembership(member.userId, groupId);
        added.push(copy(stored));
      }
      setCount(groupId);
      return added;
    },

    async removeMember(groupId, userId) {
      const map = members.get(groupId);
      if (!map?.delete(userId)) return false;
      unindexMembership(userId, groupId);
      setCount(groupId);
      return true;
    },

    async getMember(groupId, userId) {
      const member = members.get(groupId)?.get(userId);
      return member ? copy(member) : null;
    },

    async updateMember(groupId, userId, patch: MemberPatch) {
      const member = members.get(groupId)?.get(userId);
      if (!member) return null;
      Object.assign(member, copy(definedEntries(patch)));
      return copy(member);
    },

    async listMembers(groupId, page): Promise<Page<GroupMemberRecord>> {
      const after = decodeCursor(page.cursor, isMemberCursor);
      const sorted = [...(members.get(groupId)?.values() ?? [])].sort(compareMembers);
      const rest = after ? sorted.filter((m) => compareKeys(memberKey(m), after) > 0) : sorted;
      return firstPage(rest, page.limit, copy, (last) => encodeCursor(memberKey(last)));
    },

    async listMemberIds(groupId) {
      return [...(members.get(groupId)?.keys() ?? [])];
    },

    async listMembersByRole(groupId, roles) {
      const wanted = new Set(roles);
      return [...(members.get(groupId)?.values() ?? [])]
        .filter((m) => wanted.has(m.role))
        .sort(compareMembers)
        .map(copy);
    },

    async listMembershipsOfUser(userId) {
      const found: GroupMemberRecord[] = [];
      for (const groupId of groupsOfUser.get(userId) ?? []) {
        const member = members.get(groupId)?.get(userId);
        if (member) found.push(copy(member));
      }
      return found;
    },

    async removeAllMembers(groupId) {
      const map = members.get(groupId);
      if (!map) return [];
      const ids = [...map.keys()];
      for (const userId of ids) unindexMembership(userId, groupId);
      members.delete(groupId);
      setCount(groupId);
      return ids;
    },

    async createJoinRequest(request) {
      const key = pendingKey(request.groupId, request.userId);
      const existingId = pendingJoin.get(key);
      const existing = existingId === undefined ? undefined : joinRequests.get(existingId);
      if (existing) return { request: copy(existing), created: false };
      const stored = copy({ ...request, status: 'pending' as const, resolvedAt: null, resolvedBy: null });
      joinRequests.set(stored.id, stored);
      pendingJoin.set(key, stored.id);
      let set = pendingOfGroup.get(stored.groupId);
      if (!set) {
        set = new Set();
        pendingOfGroup.set(stored.groupId, set);
      }
      set.add(stored.id);
      return { request: copy(stored), created: true };
    },

    async getJoinRequest(id) {
      const request = joinRequests.get(id);
      return request ? copy(request) : null;
    },

    async listPendingJoinRequests(groupId, page) {
      const after = decodeCursor(page.cursor, isRequestCursor);
      const sorted: JoinRequestRecord[] = [];
      for (const id of pendingOfGroup.get(groupId) ?? []) {
        const request = joinRequests.get(id);
        if (request) sorted.push(request);
      }
      const key = (r: JoinRequestRecord) => ({ t: r.createdAt.getTime(), i: r.id });
      const compare = (a: { t: number; i: string }, b: { t: number; i: string }) =>
        a.t !== b.t ? a.t - b.t : a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
      sorted.sort((a, b) => compare(key(a), key(b)));
      const rest = after ? sorted.filter((r) => compare(key(r), after) > 0) : sorted;
      return firstPage(rest, page.limit, copy, (last) => encodeCursor(key(last)));
    },

    async resolveJoinRequest(id, status, by, at) {
      const request = joinRequests.get(id);
      if (request?.status !== 'pending') return null;
      request.status = status;
      request.resolvedAt = new Date(at.getTime());
      request.resolvedBy = by;
      pendingJoin.delete(pendingKey(request.groupId, request.userId));
      pendingOfGroup.get(request.groupId)?.delete(id);
      return copy(request);
    },
  };
}
