/** Record → view mappers: the one place that decides what a client may see of a record. */
import { iso } from '../util/time.js';
import type {
  FriendRequestRecord,
  FriendshipRecord,
  GroupAnnouncement,
  GroupMemberRecord,
  GroupRecord,
  GroupRole,
  JoinRequestRecord,
  MessageRecord,
  UserRecord,
} from './records.js';
import type {
  AnnouncementView,
  FriendRequestView,
  FriendView,
  GroupCard,
  GroupMemberView,
  GroupView,
  JoinRequestView,
  MessageStatus,
  MessageView,
  PrivateUser,
  PublicUser,
} from './views.js';

/** Shown in place of a user record that no longer exists. */
export function unknownUser(id: string): PublicUser {
  return { id, nickname: 'Unknown user', avatarUrl: null, bio: null, createdAt: new Date(0).toISOString() };
}

export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    nickname: user.nickname,
    avatarUrl: user.avatarUrl,
    bio: user.bio,
    createdAt: iso(user.createdAt),
  };
}

export function toPrivateUser(user: UserRecord, privateMessagePolicy: 'friends' | 'anyone'): PrivateUser {
  return {
    ...toPublicUser(user),
    email: user.email,
    emailVerified: user.emailVerified,
    settings: { privateMessagePolicy, ...user.privacy },
  };
}

export function toFriendView(
  friendship: FriendshipRecord,
  user: PublicUser,
  online: boolean,
  lastSeenAt: Date | null,
): FriendView {
  return { user, online, lastSeenAt: iso(lastSeenAt), since: iso(friendship.since) };
}

export function toFriendRequestView(
  request: FriendRequestRecord,
  from: PublicUser,
  to: PublicUser,
): FriendRequestView {
  return {
    id: request.id,
    fromId: request.fromId,
    toId: request.toId,
    from,
    to,
    message: request.message,
    status: request.status,
    createdAt: iso(request.createdAt),
    respondedAt: iso(request.respondedAt),
  };
}

/**
 * A message as the contract shapes it. Optional fields are left out when empty; a recalled
 * message keeps its place in the sequence but carries no content. `status` is given when known
 * (the sender's view of a private message).
 */
export function toMessageView(message: MessageRecord, status?: MessageStatus): MessageView {
  const view: MessageView = {
    id: message.id,
    conversationId: message.conversationId,
    type: message.type,
    senderId: message.senderId,
    content: message.recalledAt ? '' : message.content,
    contentType: message.contentType,
    seq: message.seq,
    createdAt: iso(message.createdAt),
    version: message.version,
  };
  if (message.receiverId !== null) view.receiverId = message.receiverId;
  if (message.groupId !== null) view.groupId = message.groupId;
  if (message.mentions.length > 0) view.mentions = message.mentions;
  if (message.mentionAll) view.mentionAll = true;
  if (message.replyTo !== null) view.replyTo = message.replyTo;
  if (message.clientMsgId !== null) view.clientMsgId = message.clientMsgId;
  if (status !== undefined) view.status = status;
  if (message.recalledAt) view.recalled = true;
  if (message.editedAt && !message.recalledAt) view.editedAt = iso(message.editedAt);
  if (message.replyCount > 0) view.replyCount = message.replyCount;
  if (message.pinnedAt) view.pinned = true;
  return view;
}

/** Receipt state of a message from the other side's cursor: only ever moves forward. */
export function statusFromCursor(
  seq: number,
  cursor: { readSeq: number; deliveredSeq: number } | null,
): MessageStatus {
  if (cursor && cursor.readSeq >= seq) return 'read';
  if (cursor && cursor.deliveredSeq >= seq) return 'delivered';
  return 'sent';
}

export function toAnnouncementView(announcement: GroupAnnouncement): AnnouncementView {
  return {
    text: announcement.text,
    updatedAt: iso(announcement.updatedAt),
    updatedBy: announcement.updatedBy,
  };
}

export function toGroupCard(group: GroupRecord): GroupCard {
  return {
    id: group.id,
    name: group.name,
    avatarUrl: group.avatarUrl,
    joinPolicy: group.joinPolicy,
    memberCount: group.memberCount,
    maxMembers: group.maxMembers,
    createdAt: iso(group.createdAt),
  };
}

export function toGroupView(group: GroupRecord, myRole?: GroupRole): GroupView {
  const view: GroupView = { ...toGroupCard(group), ownerId: group.ownerId, muteAll: group.muteAll };
  if (group.announcement) view.announcement = toAnnouncementView(group.announcement);
  if (myRole !== undefined) view.myRole = myRole;
  return view;
}

export function toGroupMemberView(member: GroupMemberRecord, user: PublicUser): GroupMemberView {
  return {
    user,
    userId: member.userId,
    role: member.role,
    mutedUntil: iso(member.mutedUntil),
    joinedAt: iso(member.joinedAt),
  };
}

export function toJoinRequestView(request: JoinRequestRecord, user: PublicUser): JoinRequestView {
  return {
    id: request.id,
    groupId: request.groupId,
    userId: request.userId,
    user,
    message: request.message,
    status: request.status,
    createdAt: iso(request.createdAt),
  };
}
