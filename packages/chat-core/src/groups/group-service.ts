/** Groups: creation, membership and join policies, roles, mutes, announcements, dissolution. */
import type { EngineContext } from '../context.js';
import {
  toAnnouncementView,
  toGroupCard,
  toGroupMemberView,
  toGroupView,
  toJoinRequestView,
} from '../domain/mappers.js';
import type { GroupMemberRecord, GroupRecord, GroupRole, JoinPolicy } from '../domain/records.js';
import type {
  AnnouncementView,
  GroupCard,
  GroupMemberView,
  GroupView,
  JoinRequestView,
  Paginated,
  PublicUser,
} from '../domain/views.js';
import { ChatError } from '../errors.js';
import { publicUserIn, publicUsersById } from '../identity/public-users.js';
import { groupConversationId } from '../messaging/conversation-ids.js';
import { newGroupConversation } from '../messaging/conversation-records.js';
import { postSystemMessage } from '../messaging/system-messages.js';
import {
  newestFirst,
  type PageInput,
  pageInputSchema,
  pageOfSorted,
  type TimeIdPosition,
  toPaginated,
} from '../util/pagination.js';
import { iso } from '../util/time.js';
import { idSchema, parseInput } from '../util/validate.js';
import { isStaff, outranks } from './roles.js';
import {
  addMembersSchema,
  announcementSchema,
  createGroupSchema,
  groupIdSchema,
  joinSchema,
  muteSchema,
  setAdminSchema,
  transferSchema,
  updateGroupSchema,
} from './schemas.js';
import { humanDuration, joinNames } from './system-texts.js';

/** `POST /api/groups`. */
export interface CreateGroupInput {
  name: string;
  memberIds?: string[];
  joinPolicy?: JoinPolicy;
  announcement?: string;
  avatarUrl?: string | null;
  maxMembers?: number;
}

/** `PATCH /api/groups/:id`: each field left out stays as it is. */
export interface UpdateGroupInput {
  name?: string;
  avatarUrl?: string | null;
  joinPolicy?: JoinPolicy;
  muteAll?: boolean;
}

/** `POST /api/groups/:id/join`: joined at once (open) or a join request filed (approval). */
export type JoinResult = { joined: true; group: GroupView } | { joined: false; request: JoinRequestView };

/** Groups, membership, roles, mutes and announcements: `engine.groups`. */
export interface GroupService {
  /**
   * Creates a group owned by the caller. Initial members must exist (NOT_FOUND), be the caller's
   * friends (NOT_FRIENDS, `details.userIds` names them) and not be blocked either way (BLOCKED).
   * `joinPolicy` defaults to `approval`, `maxMembers` to the configured limit (and may not pass it).
   */
  create(userId: string, input: CreateGroupInput): Promise<{ group: GroupView }>;
  /** The caller's groups, most recently joined first: the whole list. */
  listMine(userId: string): Promise<GroupView[]>;
  /** One page of {@link listMine} (`limit` 1 to 100, default 50; `cursor` from the previous page). */
  listMinePage(userId: string, input?: PageInput): Promise<Paginated<GroupView>>;
  /** Members see the whole group, others its public card. NOT_FOUND when unknown or dissolved. */
  get(viewerId: string, groupId: string): Promise<{ group: GroupView | GroupCard }>;
  /** Owner/admins change name, avatar, join policy or mute-all; members get `group_updated`. */
  update(userId: string, groupId: string, input: UpdateGroupInput): Promise<{ group: GroupView }>;
  /** Members list, owner first, then admins, then members. */
  listMembers(userId: string, groupId: string, input?: PageInput): Promise<Paginated<GroupMemberView>>;
  /**
   * Owner/admins add users (members too when the policy is open). GROUP_FULL past the limit
   * (nobody added). Unless the group is open, the adder must be friends with each user added
   * (NOT_FRIENDS); never across a block (BLOCKED). ALREADY_MEMBER only when all are members.
   */
  addMembers(
    userId: string,
    groupId: string,
    input: { userIds: string[] },
  ): Promise<{ added: GroupMemberView[] }>;
  /** open: joins; approval: files a join request; invite: FORBIDDEN. ALREADY_MEMBER for members. */
  join(userId: string, groupId: string, input?: { message?: string }): Promise<JoinResult>;
  listJoinRequests(userId: string, groupId: string, input?: PageInput): Promise<Paginated<JoinRequestView>>;
  approveJoinRequest(
    userId: string,
    groupId: string,
    requestId: string,
  ): Promise<{ member: GroupMemberView }>;
  rejectJoinRequest(userId: string, groupId: string, requestId: string): Promise<void>;
  /** Leaves a group; the owner must transfer or dissolve instead (FORBIDDEN). */
  leave(userId: string, groupId: string): Promise<void>;
  /** Kick: the owner any member, an admin only plain members. */
  kick(userId: string, groupId: string, targetId: string): Promise<void>;
  /** Mutes a member for a duration (same rank rule as kick); the mute ends by itself. */
  mute(
    userId: string,
    groupId: string,
    input: { userId: string; durationSeconds: number },
  ): Promise<{ member: GroupMemberView }>;
  unmute(userId: string, groupId: string, targetId: string): Promise<void>;
  /** Owner/admins set the announcement; members get `group_announcement_updated`. */
  setAnnouncement(
    userId: string,
    groupId: string,
    input: { text: string },
  ): Promise<{ announcement: AnnouncementView | null }>;
  /** The owner promotes (`true`) or demotes (`false`) an admin. */
  setAdmin(
    userId: string,
    groupId: string,
    targetId: string,
    isAdmin: boolean,
  ): Promise<{ member: GroupMemberView }>;
  /** The owner hands ownership to a member and becomes an admin. */
  transfer(userId: string, groupId: string, input: { userId: string }): Promise<{ group: GroupView }>;
  /** The owner dissolves the group; members get `group_dissolved`. */
  dissolve(userId: string, groupId: string): Promise<void>;
  /** Ids of the caller's groups (a transport joins their rooms at connect). */
  listMyGroupIds(userId: string): Promise<string[]>;
  /** Checks membership: NOT_FOUND for an unknown group, NOT_GROUP_MEMBER for a non-member. */
  assertMember(userId: string, groupId: string): Promise<void>;
  /**
   * Joins through a valid group invite, past the join policy (approval and invite-only groups
   * too): ALREADY_MEMBER, GROUP_FULL, NOT_FOUND for a dissolved group. Used by the invite service,
   * which has checked the token.
   */
  joinViaInvite(userId: string, groupId: string): Promise<{ group: GroupView }>;
}

/** A live group and, when the user is one, their membership. */
interface Loaded {
  group: GroupRecord;
  member: GroupMemberRecord | null;
}

/** Builds `engine.groups` over the engine's context. */
export function createGroupService(ctx: EngineContext): GroupService {
  const { store } = ctx;

  /** The group unless it is unknown or dissolved (NOT_FOUND), and the user's membership. */
  async function load(userId: string, rawGroupId: string): Promise<Loaded> {
    const groupId = parseInput(groupIdSchema, rawGroupId);
    const [group, member] = await Promise.all([
      store.groups.get(groupId),
      store.groups.getMember(groupId, userId),
    ]);
    if (!group || group.dissolvedAt) throw new ChatError('NOT_FOUND', 'No such group');
    return { group, member };
  }

  async function loadAsMember(
    userId: string,
    groupId: string,
  ): Promise<Loaded & { member: GroupMemberRecord }> {
    const loaded = await load(userId, groupId);
    if (!loaded.member) throw new ChatError('NOT_GROUP_MEMBER');
    return { group: loaded.group, member: loaded.member };
  }

  async function loadAsStaff(
    userId: string,
    groupId: string,
  ): Promise<Loaded & { member: GroupMemberRecord }> {
    const loaded = await loadAsMember(userId, groupId);
    if (!isStaff(loaded.member.role)) {
      throw new ChatError('FORBIDDEN', 'Only the owner and admins may do this');
    }
    return loaded;
  }

  /** The group as staff sees it and one of its pending join requests; NOT_FOUND for any other request. */
  async function loadPendingRequest(userId: string, groupId: string, rawRequestId: unknown) {
    const requestId = parseInput(idSchema, rawRequestId);
    const { group } = await loadAsStaff(userId, groupId);
    const request = await store.groups.getJoinRequest(requestId);
    if (!request || request.groupId !== group.id || request.status !== 'pending') {
      throw new ChatError('NOT_FOUND', 'No such pending join request');
    }
    return { group, request };
  }

  async function loadAsOwner(
    userId: string,
    groupId: string,
  ): Promise<Loaded & { member: GroupMemberRecord }> {
    const loaded = await loadAsMember(userId, groupId);
    if (loaded.member.role !== 'owner') throw new ChatError('FORBIDDEN', 'Only the owner may do this');
    return loaded;
  }

  /** The member another member acts on; self-targeting is a malformed request. */
  async function loadTarget(
    actorId: string,
    groupId: string,
    targetId: string,
    field = 'userId',
  ): Promise<GroupMemberRecord> {
    if (targetId === actorId) {
      throw new ChatError('VALIDATION_FAILED', 'You cannot do this to yourself', {
        details: { fields: { [field]: 'must not be yourself' } },
      });
    }
    const target = await store.groups.getMember(groupId, targetId);
    if (!target) throw new ChatError('NOT_FOUND', 'No such member in this group');
    return target;
  }

  /** Public profiles by id, one store call; a vanished user shows as "Unknown user". */
  const profiles = (ids: readonly string[]) => publicUsersById(store.users, ids);

  const nick = (users: Map<string, PublicUser>, id: string) => users.get(id)?.nickname ?? 'Someone';

  /**
   * Writes a `system` message into the group's history; `actorId` is whose action it records.
   * `postSystemMessage` moves the actor's read cursor past it when they hold one, so one's own
   * action never counts as unread (one who just left holds none and gets none back).
   */
  async function system(groupId: string, content: string, actorId: string | null): Promise<void> {
    await postSystemMessage(ctx, groupId, content, { actorId });
  }

  /** The group's conversation, created on first need. */
  function ensureConversation(group: GroupRecord) {
    return store.messages.ensureConversation(newGroupConversation(group.id, ctx.clock.now()));
  }

  /** Gives newcomers a cursor at the current end of history, so the group lists as read for them. */
  async function openCursors(group: GroupRecord, userIds: readonly string[]): Promise<void> {
    const conversation = await ensureConversation(group);
    const now = ctx.clock.now();
    await Promise.all(
      userIds.map((id) =>
        store.messages.advanceCursor(id, conversation.id, { readSeq: conversation.lastSeq }, now),
      ),
    );
  }

  /**
   * Adds members (capacity-checked by the store: GROUP_FULL adds nobody) and tells everyone:
   * rooms first, so the newcomers hear the system message and the join events.
   */
  async function admit(
    group: GroupRecord,
    userIds: readonly string[],
    by: string | null,
    text: (users: Map<string, PublicUser>) => string,
  ): Promise<GroupMemberRecord[]> {
    const now = ctx.clock.now();
    const added = await store.groups.addMembers(
      group.id,
      userIds.map((userId) => ({
        groupId: group.id,
        userId,
        role: 'member',
        mutedUntil: null,
        joinedAt: now,
      })),
      group.maxMembers,
    );
    if (added.length === 0) return added;
    const addedIds = added.map((m) => m.userId);
    await openCursors(group, addedIds);
    for (const id of addedIds) ctx.signal('membership_added', { userId: id, groupId: group.id });
    const users = await profiles(by ? [...addedIds, by] : addedIds);
    await system(group.id, text(users), by ?? addedIds[0] ?? null);
    for (const id of addedIds) {
      ctx.emit(
        'group_member_joined',
        { groupId: group.id, userId: id, user: publicUserIn(users, id), by },
        { groups: [group.id], users: [id] },
      );
    }
    return added;
  }

  /** Takes one member out of the store, their conversation list and the group's room. */
  async function dismiss(groupId: string, userId: string): Promise<boolean> {
    const removed = await store.groups.removeMember(groupId, userId);
    if (!removed) return false;
    await store.messages.deleteCursor(userId, groupConversationId(groupId));
    ctx.signal('membership_removed', { userId, groupId });
    return true;
  }

  async function memberView(member: GroupMemberRecord): Promise<GroupMemberView> {
    const users = await profiles([member.userId]);
    return toGroupMemberView(member, publicUserIn(users, member.userId));
  }

  /** Refuses users who are unknown (NOT_FOUND), blocked either way (BLOCKED) or, when asked, strangers. */
  async function checkAddable(
    actorId: string,
    userIds: readonly string[],
    needFriendship: boolean,
  ): Promise<void> {
    if (userIds.length === 0) return;
    const users = await store.users.getByIds(userIds);
    const known = new Set(users.map((u) => u.id));
    const missing = userIds.filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new ChatError('NOT_FOUND', 'No such user', { details: { userIds: missing } });
    }
    const relations = await Promise.all(userIds.map((id) => store.social.getRelation(actorId, id)));
    const blocked = userIds.filter((_, i) => relations[i]!.aBlocksB || relations[i]!.bBlocksA);
    if (blocked.length > 0) throw new ChatError('BLOCKED', undefined, { details: { userIds: blocked } });
    if (!needFriendship) return;
    const strangers = userIds.filter((_, i) => relations[i]!.friendship === null);
    if (strangers.length > 0) {
      throw new ChatError('NOT_FRIENDS', 'You can only add your friends to this group', {
        details: { userIds: strangers },
      });
    }
  }

  function checkCapacity(group: GroupRecord, adding: number): void {
    if (group.memberCount + adding > group.maxMembers) {
      throw new ChatError('GROUP_FULL', undefined, {
        details: { maxMembers: group.maxMembers, memberCount: group.memberCount },
      });
    }
  }

  function broadcastView(group: GroupRecord): void {
    ctx.emit('group_updated', { groupId: group.id, group: toGroupView(group) }, { groups: [group.id] });
  }

  /** Where a membership sits in the caller's group list: most recently joined first. */
  const joinedPosition = (m: GroupMemberRecord): TimeIdPosition => ({
    at: m.joinedAt.getTime(),
    id: m.groupId,
  });

  /** Views of the groups of these memberships, in their order, leaving out dissolved groups. */
  async function liveGroupViews(memberships: readonly GroupMemberRecord[]): Promise<GroupView[]> {
    if (memberships.length === 0) return [];
    const groups = new Map(
      (await store.groups.getMany(memberships.map((m) => m.groupId))).map((g) => [g.id, g]),
    );
    return memberships.flatMap((m) => {
      const group = groups.get(m.groupId);
      return group && !group.dissolvedAt ? [toGroupView(group, m.role)] : [];
    });
  }

  /** The kick/mute/unmute preamble: staff actor, a member target they outrank. */
  async function loadManaged(actorId: string, groupId: string, rawTargetId: string) {
    const loaded = await loadAsStaff(actorId, groupId);
    const targetId = parseInput(idSchema, rawTargetId);
    const target = await loadTarget(actorId, loaded.group.id, targetId);
    if (!outranks(loaded.member.role, target.role)) {
      throw new ChatError('FORBIDDEN', 'Admins may only manage plain members');
    }
    return { ...loaded, target };
  }

  return {
    async create(userId, input) {
      const parsed = parseInput(createGroupSchema(ctx.config.groupMaxMembers), input);
      const memberIds = [...new Set(parsed.memberIds)].filter((id) => id !== userId);
      const now = ctx.clock.now();
      await checkAddable(userId, memberIds, true);
      if (1 + memberIds.length > parsed.maxMembers) {
        throw new ChatError('GROUP_FULL', undefined, {
          details: { maxMembers: parsed.maxMembers, memberCount: 1 + memberIds.length },
        });
      }
      const record: GroupRecord = {
        id: ctx.ids.next(),
        name: parsed.name,
        avatarUrl: parsed.avatarUrl ?? null,
        ownerId: userId,
        announcement: parsed.announcement
          ? { text: parsed.announcement, updatedAt: now, updatedBy: userId }
          : null,
        joinPolicy: parsed.joinPolicy,
        muteAll: false,
        maxMembers: parsed.maxMembers,
        memberCount: 1 + memberIds.length,
        inviteVersion: 0,
        createdAt: now,
        updatedAt: now,
        dissolvedAt: null,
      };
      const members: GroupMemberRecord[] = [
        { groupId: record.id, userId, role: 'owner', mutedUntil: null, joinedAt: now },
        ...memberIds.map(
          (id): GroupMemberRecord => ({
            groupId: record.id,
            userId: id,
            role: 'member',
            mutedUntil: null,
            joinedAt: now,
          }),
        ),
      ];
      const group = await store.groups.create(record, members);
      const everyone = [userId, ...memberIds];
      await openCursors(group, everyone);
      for (const id of everyone) ctx.signal('membership_added', { userId: id, groupId: group.id });
      const users = await profiles(everyone);
      const creator = nick(users, userId);
      await system(
        group.id,
        memberIds.length > 0
          ? `${creator} created the group with ${joinNames(memberIds.map((id) => nick(users, id)))}`
          : `${creator} created the group`,
        userId,
      );
      for (const id of memberIds) {
        ctx.emit(
          'group_member_joined',
          { groupId: group.id, userId: id, user: publicUserIn(users, id), by: userId },
          { groups: [group.id], users: [id] },
        );
      }
      return { group: toGroupView(group, 'owner') };
    },

    async listMine(userId) {
      const memberships = (await store.groups.listMembershipsOfUser(userId)).sort((x, y) =>
        newestFirst(joinedPosition(x), joinedPosition(y)),
      );
      return liveGroupViews(memberships);
    },

    async listMinePage(userId, input) {
      const query = parseInput(pageInputSchema, input ?? {});
      const memberships = (await store.groups.listMembershipsOfUser(userId)).sort((x, y) =>
        newestFirst(joinedPosition(x), joinedPosition(y)),
      );
      const page = pageOfSorted(memberships, joinedPosition, query);
      return { items: await liveGroupViews(page.items), hasMore: page.hasMore, nextCursor: page.nextCursor };
    },

    async get(viewerId, groupId) {
      const { group, member } = await load(viewerId, groupId);
      return { group: member ? toGroupView(group, member.role) : toGroupCard(group) };
    },

    async update(userId, groupId, input) {
      const parsed = parseInput(updateGroupSchema, input);
      const { group, member } = await loadAsStaff(userId, groupId);
      const updated = await store.groups.update(group.id, {
        ...(parsed.name !== undefined && { name: parsed.name }),
        ...(parsed.avatarUrl !== undefined && { avatarUrl: parsed.avatarUrl }),
        ...(parsed.joinPolicy !== undefined && { joinPolicy: parsed.joinPolicy }),
        ...(parsed.muteAll !== undefined && { muteAll: parsed.muteAll }),
        updatedAt: ctx.clock.now(),
      });
      if (!updated) throw new ChatError('NOT_FOUND', 'No such group');
      const notes: string[] = [];
      const users = await profiles([userId]);
      const actor = nick(users, userId);
      if (parsed.name !== undefined && parsed.name !== group.name) {
        notes.push(`${actor} renamed the group to "${parsed.name}"`);
      }
      if (parsed.muteAll !== undefined && parsed.muteAll !== group.muteAll) {
        notes.push(parsed.muteAll ? `${actor} muted all members` : `${actor} unmuted all members`);
      }
      for (const note of notes) await system(group.id, note, userId);
      broadcastView(updated);
      return { group: toGroupView(updated, member.role) };
    },

    async listMembers(userId, groupId, input) {
      const page = parseInput(pageInputSchema, input ?? {});
      const { group } = await loadAsMember(userId, groupId);
      const result = await store.groups.listMembers(group.id, { cursor: page.cursor, limit: page.limit });
      const users = await profiles(result.items.map((m) => m.userId));
      return toPaginated(result, (m) => toGroupMemberView(m, publicUserIn(users, m.userId)));
    },

    async addMembers(userId, groupId, input) {
      const parsed = parseInput(addMembersSchema(ctx.config.groupMaxMembers), input);
      const { group, member } = await loadAsMember(userId, groupId);
      if (!isStaff(member.role) && group.joinPolicy !== 'open') {
        throw new ChatError('FORBIDDEN', 'Only the owner and admins may add members to this group');
      }
      const wanted = [...new Set(parsed.userIds)];
      const memberships = await Promise.all(wanted.map((id) => store.groups.getMember(group.id, id)));
      const fresh = wanted.filter((_, i) => memberships[i] === null);
      await checkAddable(userId, fresh, group.joinPolicy !== 'open');
      if (fresh.length === 0) throw new ChatError('ALREADY_MEMBER', 'Everyone named is already a member');
      checkCapacity(group, fresh.length);
      const added = await admit(
        group,
        fresh,
        userId,
        (users) => `${nick(users, userId)} added ${joinNames(fresh.map((id) => nick(users, id)))}`,
      );
      if (added.length === 0) throw new ChatError('ALREADY_MEMBER', 'Everyone named is already a member');
      const users = await profiles(added.map((m) => m.userId));
      return { added: added.map((m) => toGroupMemberView(m, publicUserIn(users, m.userId))) };
    },

    async join(userId, groupId, input) {
      const parsed = parseInput(joinSchema, input ?? {});
      const { group, member } = await load(userId, groupId);
      if (member) throw new ChatError('ALREADY_MEMBER');
      if (group.joinPolicy === 'invite') {
        throw new ChatError('FORBIDDEN', 'This group can only be joined through an invite');
      }
      checkCapacity(group, 1);
      if (group.joinPolicy === 'open') {
        const added = await admit(
          group,
          [userId],
          null,
          (users) => `${nick(users, userId)} joined the group`,
        );
        if (added.length === 0) throw new ChatError('ALREADY_MEMBER');
        const fresh = (await store.groups.get(group.id)) ?? group;
        return { joined: true, group: toGroupView(fresh, 'member') };
      }
      const now = ctx.clock.now();
      const { request, created } = await store.groups.createJoinRequest({
        id: ctx.ids.next(),
        groupId: group.id,
        userId,
        message: parsed.message ? parsed.message : null,
        status: 'pending',
        createdAt: now,
        resolvedAt: null,
        resolvedBy: null,
      });
      const users = await profiles([userId]);
      const view = toJoinRequestView(request, publicUserIn(users, userId));
      if (created) {
        const staff = await store.groups.listMembersByRole(group.id, ['owner', 'admin']);
        ctx.emit(
          'group_join_request',
          { groupId: group.id, request: view },
          { users: staff.map((m) => m.userId) },
        );
      }
      return { joined: false, request: view };
    },

    async listJoinRequests(userId, groupId, input) {
      const page = parseInput(pageInputSchema, input ?? {});
      const { group } = await loadAsStaff(userId, groupId);
      const result = await store.groups.listPendingJoinRequests(group.id, {
        cursor: page.cursor,
        limit: page.limit,
      });
      const users = await profiles(result.items.map((r) => r.userId));
      return toPaginated(result, (r) => toJoinRequestView(r, publicUserIn(users, r.userId)));
    },

    async approveJoinRequest(userId, groupId, rawRequestId) {
      const { group, request } = await loadPendingRequest(userId, groupId, rawRequestId);
      const existing = await store.groups.getMember(group.id, request.userId);
      if (existing) {
        // Joined meanwhile (e.g. through an invite): approving just closes the request.
        await store.groups.resolveJoinRequest(request.id, 'approved', userId, ctx.clock.now());
        return { member: await memberView(existing) };
      }
      checkCapacity(group, 1);
      // Added before the request is resolved, so a GROUP_FULL from the store leaves it pending.
      const added = await admit(
        group,
        [request.userId],
        userId,
        (users) => `${nick(users, request.userId)} joined the group, approved by ${nick(users, userId)}`,
      );
      await store.groups.resolveJoinRequest(request.id, 'approved', userId, ctx.clock.now());
      const member = added[0] ?? (await store.groups.getMember(group.id, request.userId));
      if (!member) throw new ChatError('NOT_FOUND', 'No such member in this group');
      return { member: await memberView(member) };
    },

    async rejectJoinRequest(userId, groupId, rawRequestId) {
      const { request } = await loadPendingRequest(userId, groupId, rawRequestId);
      const resolved = await store.groups.resolveJoinRequest(request.id, 'rejected', userId, ctx.clock.now());
      if (!resolved) throw new ChatError('NOT_FOUND', 'No such pending join request');
    },

    async leave(userId, groupId) {
      const { group, member } = await loadAsMember(userId, groupId);
      if (member.role === 'owner') {
        throw new ChatError('FORBIDDEN', 'The owner must transfer the group or dissolve it');
      }
      if (!(await dismiss(group.id, userId))) throw new ChatError('NOT_GROUP_MEMBER');
      const users = await profiles([userId]);
      await system(group.id, `${nick(users, userId)} left the group`, userId);
      ctx.emit('group_member_left', { groupId: group.id, userId }, { groups: [group.id], users: [userId] });
    },

    async kick(userId, groupId, targetId) {
      const { group, target } = await loadManaged(userId, groupId, targetId);
      if (!(await dismiss(group.id, target.userId)))
        throw new ChatError('NOT_FOUND', 'No such member in this group');
      const users = await profiles([userId, target.userId]);
      await system(
        group.id,
        `${nick(users, userId)} removed ${nick(users, target.userId)} from the group`,
        userId,
      );
      ctx.emit(
        'group_member_removed',
        { groupId: group.id, userId: target.userId, by: userId },
        { groups: [group.id], users: [target.userId] },
      );
    },

    async mute(userId, groupId, input) {
      const parsed = parseInput(muteSchema, input);
      const { group, target } = await loadManaged(userId, groupId, parsed.userId);
      const mutedUntil = new Date(ctx.clock.now().getTime() + parsed.durationSeconds * 1000);
      const updated = await store.groups.updateMember(group.id, target.userId, { mutedUntil });
      if (!updated) throw new ChatError('NOT_FOUND', 'No such member in this group');
      const users = await profiles([userId, target.userId]);
      await system(
        group.id,
        `${nick(users, userId)} muted ${nick(users, target.userId)} for ${humanDuration(parsed.durationSeconds)}`,
        userId,
      );
      ctx.emit(
        'group_member_muted',
        { groupId: group.id, userId: target.userId, mutedUntil: iso(mutedUntil), by: userId },
        { groups: [group.id] },
      );
      return { member: toGroupMemberView(updated, publicUserIn(users, target.userId)) };
    },

    async unmute(userId, groupId, targetId) {
      const { group, target } = await loadManaged(userId, groupId, targetId);
      if (!target.mutedUntil || target.mutedUntil.getTime() <= ctx.clock.now().getTime()) {
        // Not muted (or the mute has ended by itself): nothing to tell anyone.
        if (target.mutedUntil) await store.groups.updateMember(group.id, target.userId, { mutedUntil: null });
        return;
      }
      const updated = await store.groups.updateMember(group.id, target.userId, { mutedUntil: null });
      if (!updated) throw new ChatError('NOT_FOUND', 'No such member in this group');
      const users = await profiles([userId, target.userId]);
      await system(group.id, `${nick(users, userId)} unmuted ${nick(users, target.userId)}`, userId);
      ctx.emit(
        'group_member_muted',
        { groupId: group.id, userId: target.userId, mutedUntil: null, by: userId },
        { groups: [group.id] },
      );
    },

    async setAnnouncement(userId, groupId, input) {
      const parsed = parseInput(announcementSchema, input);
      const { group } = await loadAsStaff(userId, groupId);
      const now = ctx.clock.now();
      const announcement =
        parsed.text === '' ? null : { text: parsed.text, updatedAt: now, updatedBy: userId };
      const updated = await store.groups.update(group.id, { announcement, updatedAt: now });
      if (!updated) throw new ChatError('NOT_FOUND', 'No such group');
      const users = await profiles([userId]);
      await system(
        group.id,
        announcement
          ? `${nick(users, userId)} updated the announcement: ${announcement.text}`
          : `${nick(users, userId)} cleared the announcement`,
        userId,
      );
      const view = announcement ? toAnnouncementView(announcement) : null;
      ctx.emit(
        'group_announcement_updated',
        { groupId: group.id, announcement: view },
        { groups: [group.id] },
      );
      return { announcement: view };
    },

    async setAdmin(userId, groupId, rawTargetId, isAdmin) {
      const parsed = parseInput(setAdminSchema, { targetId: rawTargetId, isAdmin });
      const { group } = await loadAsOwner(userId, groupId);
      const target = await loadTarget(userId, group.id, parsed.targetId, 'targetId');
      const role: GroupRole = parsed.isAdmin ? 'admin' : 'member';
      if (target.role === role) return { member: await memberView(target) };
      const updated = await store.groups.updateMember(group.id, target.userId, { role });
      if (!updated) throw new ChatError('NOT_FOUND', 'No such member in this group');
      const users = await profiles([userId, target.userId]);
      await system(
        group.id,
        parsed.isAdmin
          ? `${nick(users, userId)} made ${nick(users, target.userId)} an admin`
          : `${nick(users, userId)} removed ${nick(users, target.userId)} as admin`,
        userId,
      );
      return { member: toGroupMemberView(updated, publicUserIn(users, target.userId)) };
    },

    async transfer(userId, groupId, input) {
      const parsed = parseInput(transferSchema, input);
      const { group } = await loadAsOwner(userId, groupId);
      const target = await loadTarget(userId, group.id, parsed.userId);
      // The new owner is promoted before the old one steps down, so the group is never ownerless.
      await store.groups.updateMember(group.id, target.userId, { role: 'owner', mutedUntil: null });
      const updated = await store.groups.update(group.id, {
        ownerId: target.userId,
        updatedAt: ctx.clock.now(),
      });
      await store.groups.updateMember(group.id, userId, { role: 'admin' });
      if (!updated) throw new ChatError('NOT_FOUND', 'No such group');
      const users = await profiles([userId, target.userId]);
      await system(group.id, `${nick(users, userId)} made ${nick(users, target.userId)} the owner`, userId);
      broadcastView(updated);
      return { group: toGroupView(updated, 'admin') };
    },

    async dissolve(userId, groupId) {
      const { group } = await loadAsOwner(userId, groupId);
      const memberIds = await store.groups.listMemberIds(group.id);
      const users = await profiles([userId]);
      await system(group.id, `${nick(users, userId)} dissolved the group`, userId);
      // Told while the room still holds everyone; listed by user too, for connections that missed the room.
      ctx.emit(
        'group_dissolved',
        { groupId: group.id, by: userId },
        { groups: [group.id], users: memberIds },
      );
      const now = ctx.clock.now();
      await store.groups.update(group.id, { dissolvedAt: now, updatedAt: now });
      const former = await store.groups.removeAllMembers(group.id);
      const conversationId = groupConversationId(group.id);
      await Promise.all(former.map((id) => store.messages.deleteCursor(id, conversationId)));
      for (const id of former) ctx.signal('membership_removed', { userId: id, groupId: group.id });
    },

    async listMyGroupIds(userId) {
      const memberships = await store.groups.listMembershipsOfUser(userId);
      return memberships.map((m) => m.groupId);
    },

    async assertMember(userId, groupId) {
      await loadAsMember(userId, groupId);
    },

    async joinViaInvite(userId, groupId) {
      const { group, member } = await load(userId, groupId);
      if (member) throw new ChatError('ALREADY_MEMBER');
      checkCapacity(group, 1);
      const added = await admit(
        group,
        [userId],
        null,
        (users) => `${nick(users, userId)} joined the group via an invite`,
      );
      if (added.length === 0) throw new ChatError('ALREADY_MEMBER');
      const fresh = (await store.groups.get(group.id)) ?? group;
      return { group: toGroupView(fresh, 'member') };
    },
  };
}
