/** Groups: creation, membership and join policies, roles, mutes, announcements, dissolution. */
import type { EngineContext } from '../context.js';
import type { JoinPolicy } from '../domain/records.js';
import type {
  AnnouncementView,
  GroupCard,
  GroupMemberView,
  GroupView,
  JoinRequestView,
  Paginated,
} from '../domain/views.js';
import { notImplemented } from '../util/not-implemented.js';
import type { PageInput } from '../util/pagination.js';

export interface CreateGroupInput {
  name: string;
  memberIds?: string[];
  joinPolicy?: JoinPolicy;
  announcement?: string;
  avatarUrl?: string | null;
  maxMembers?: number;
}

export interface UpdateGroupInput {
  name?: string;
  avatarUrl?: string | null;
  joinPolicy?: JoinPolicy;
  muteAll?: boolean;
}

export type JoinResult = { joined: true; group: GroupView } | { joined: false; request: JoinRequestView };

export interface GroupService {
  /** Creates a group owned by the caller; initial members must be the caller's friends (NOT_FRIENDS). */
  create(userId: string, input: CreateGroupInput): Promise<{ group: GroupView }>;
  /** The caller's groups. */
  listMine(userId: string): Promise<GroupView[]>;
  /** Members see the whole group, others its public card. NOT_FOUND when unknown or dissolved. */
  get(viewerId: string, groupId: string): Promise<{ group: GroupView | GroupCard }>;
  /** Owner/admins change name, avatar, join policy or mute-all; members get `group_updated`. */
  update(userId: string, groupId: string, input: UpdateGroupInput): Promise<{ group: GroupView }>;
  /** Members list, owner first, then admins, then members. */
  listMembers(userId: string, groupId: string, input?: PageInput): Promise<Paginated<GroupMemberView>>;
  /** Owner/admins add users (members too when the policy is open). GROUP_FULL past the limit. */
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
}

export function createGroupService(_ctx: EngineContext): GroupService {
  return {
    create: () => notImplemented('groups.create'),
    listMine: () => notImplemented('groups.listMine'),
    get: () => notImplemented('groups.get'),
    update: () => notImplemented('groups.update'),
    listMembers: () => notImplemented('groups.listMembers'),
    addMembers: () => notImplemented('groups.addMembers'),
    join: () => notImplemented('groups.join'),
    listJoinRequests: () => notImplemented('groups.listJoinRequests'),
    approveJoinRequest: () => notImplemented('groups.approveJoinRequest'),
    rejectJoinRequest: () => notImplemented('groups.rejectJoinRequest'),
    leave: () => notImplemented('groups.leave'),
    kick: () => notImplemented('groups.kick'),
    mute: () => notImplemented('groups.mute'),
    unmute: () => notImplemented('groups.unmute'),
    setAnnouncement: () => notImplemented('groups.setAnnouncement'),
    setAdmin: () => notImplemented('groups.setAdmin'),
    transfer: () => notImplemented('groups.transfer'),
    dissolve: () => notImplemented('groups.dissolve'),
    listMyGroupIds: () => notImplemented('groups.listMyGroupIds'),
    assertMember: () => notImplemented('groups.assertMember'),
  };
}
