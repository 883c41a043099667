/**
 * What clients see: JSON-ready shapes with ISO-8601 UTC times and no secrets. These are the
 * payloads of the REST routes and socket events of the API contract.
 */
import type {
  ContentType,
  ConversationType,
  FriendRequestStatus,
  GroupRole,
  JoinPolicy,
  JoinRequestStatus,
} from './records.js';

/** A profile anyone may see: never the email. */
export interface PublicUser {
  id: string;
  nickname: string;
  avatarUrl: string | null;
  bio: string | null;
  createdAt: string;
}

/** The user's own view of their account. */
export interface PrivateUser extends PublicUser {
  email: string;
  emailVerified: boolean;
  settings: UserSettings;
}

/** Per-user settings shown in the private view. */
export interface UserSettings {
  /** Whether strangers may message this user: follows the server's PRIVATE_MESSAGE_POLICY. */
  privateMessagePolicy: 'friends' | 'anyone';
  /** Friends see when the user was last online. */
  showLastSeen: boolean;
  /** Friends see the user online. */
  showOnline: boolean;
  /** Read receipts are sent (and, when off, none are received either). */
  sendReadReceipts: boolean;
  /** Push notifications show a preview of the text. */
  pushPreviews: boolean;
}

/** One signed-in device in `GET /api/auth/sessions`. */
export interface SessionView {
  id: string;
  /** The device's `User-Agent` when it signed in; null when it sent none. */
  userAgent: string | null;
  /** Its address, only when the server can tell it (`TRUST_PROXY`). */
  ip?: string;
  createdAt: string;
  lastSeenAt: string;
  /** The session of the token making this request. */
  current: boolean;
}

/** The answer of register and login. */
export interface AuthResult {
  user: PrivateUser;
  token: string;
}

export interface FriendView {
  user: PublicUser;
  online: boolean;
  lastSeenAt: string | null;
  since: string;
}

export interface FriendRequestView {
  id: string;
  fromId: string;
  toId: string;
  from: PublicUser;
  to: PublicUser;
  message: string | null;
  status: FriendRequestStatus;
  createdAt: string;
  respondedAt: string | null;
}

/** Delivery state of a message as its sender sees it. */
export type MessageStatus = 'sent' | 'delivered' | 'read';

/** A message as the contract shapes it. A recalled message is a tombstone: empty content. */
export interface MessageView {
  id: string;
  conversationId: string;
  type: ConversationType;
  senderId: string;
  receiverId?: string;
  groupId?: string;
  content: string;
  contentType: ContentType;
  mentions?: string[];
  mentionAll?: boolean;
  replyTo?: string;
  clientMsgId?: string;
  seq: number;
  createdAt: string;
  status?: MessageStatus;
  recalled?: true;
  /** When the sender last edited it. */
  editedAt?: string;
  /** Reactions, one entry per emoji; `me` when the viewer reacted with it. */
  reactions?: { emoji: string; count: number; me: boolean }[];
  /** How many replies its thread holds. */
  replyCount?: number;
  pinned?: true;
  /** The conversation's change counter at this message's last change (0: never changed). */
  version: number;
}

/** A page of messages, ascending by seq. */
export interface MessagePage {
  messages: MessageView[];
  hasMore: boolean;
}

/**
 * What `sync` answers: the messages after `afterSeq` (ascending by seq), and, when `afterVersion`
 * was given, the older messages changed since (ascending by version). `version` is the
 * conversation's change counter to pass as the next `afterVersion`.
 */
export interface SyncPage extends MessagePage {
  changed: MessageView[];
  version: number;
}

/** What anyone may see of a group. */
export interface GroupCard {
  id: string;
  name: string;
  avatarUrl: string | null;
  joinPolicy: JoinPolicy;
  memberCount: number;
  maxMembers: number;
  createdAt: string;
}

export interface AnnouncementView {
  text: string;
  updatedAt: string;
  updatedBy: string;
}

/** The full group, for its members. */
export interface GroupView extends GroupCard {
  ownerId: string;
  announcement?: AnnouncementView;
  muteAll: boolean;
  /** The viewer's role, when the viewer is a member. */
  myRole?: GroupRole;
}

export interface GroupMemberView {
  user: PublicUser;
  userId: string;
  role: GroupRole;
  mutedUntil: string | null;
  joinedAt: string;
}

export interface JoinRequestView {
  id: string;
  groupId: string;
  userId: string;
  user: PublicUser;
  message: string | null;
  status: JoinRequestStatus;
  createdAt: string;
}

export interface ConversationView {
  id: string;
  type: ConversationType;
  peer?: PublicUser;
  group?: GroupCard;
  lastMessage: MessageView | null;
  /**
   * The seq of the conversation's newest message (0 when it has none). A client that resumes
   * compares it with the last seq it holds and calls `sync` when it is higher.
   */
  lastSeq: number;
  unreadCount: number;
  mentioned: boolean;
  updatedAt: string;
}

/** A cursor-paginated list. `nextCursor` is null on the last page. */
export interface Paginated<T> {
  items: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

/** An invite as a QR code. */
export interface QrCodeView {
  token: string;
  /** `${PUBLIC_URL}/invite/<token>`: what the QR code encodes. */
  url: string;
  /** A PNG data URL or SVG text. */
  image: string;
  expiresAt?: string;
}

/** What an invite token points at, without redeeming it. */
export interface InviteView {
  kind: 'user' | 'group';
  user?: PublicUser;
  group?: GroupCard;
  expiresAt?: string;
}

/** The outcome of redeeming an invite. */
export type InviteRedemption =
  | { kind: 'user'; request: FriendRequestView | null; friend: FriendView | null }
  | { kind: 'group'; group: GroupView; joined: true };
