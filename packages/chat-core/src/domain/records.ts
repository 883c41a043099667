/**
 * What the storage port keeps. Records use `Date` for times and plain strings for ids; the core
 * creates every id and timestamp, an adapter only stores and fetches them. Views sent to clients
 * (ISO times, no secrets) live in `views.ts`.
 */

/** A registered account. Never sent to a client as is: see `PrivateUser` and `PublicUser`. */
export interface UserRecord {
  id: string;
  /** Trimmed and lower-cased; unique across users. */
  email: string;
  /** bcrypt hash of the password. */
  passwordHash: string;
  nickname: string;
  avatarUrl: string | null;
  bio: string | null;
  emailVerified: boolean;
  /**
   * Raised by logout-all, password change and reset. A JWT carries the version it was issued
   * under (`ver`) and is refused once the user's version has moved past it.
   */
  tokenVersion: number;
  /** Raised when the personal QR code is rotated; older personal invite tokens then expire. */
  inviteVersion: number;
  /** When the user's last connection closed; null while never seen. */
  lastSeenAt: Date | null;
  /** What the user lets others see and what notifications show. */
  privacy: PrivacySettings;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A user's privacy and notification choices. Every field defaults to true (see
 * {@link DEFAULT_PRIVACY}); a store that meets a user saved before these existed answers the
 * defaults.
 */
export interface PrivacySettings {
  /** Friends see when the user was last online (presence events, friend lists, profiles). */
  showLastSeen: boolean;
  /** Friends see the user online; when false the user always looks offline to others. */
  showOnline: boolean;
  /**
   * Others learn when the user has read their messages. As in WhatsApp it works both ways: with it
   * off the user sends no read receipts and sees none (statuses stop at `delivered`).
   */
  sendReadReceipts: boolean;
  /** Push notifications carry a preview of the message text; when false only "New message". */
  pushPreviews: boolean;
}

/** The privacy of a new account: everything shown. */
export const DEFAULT_PRIVACY: Readonly<PrivacySettings> = Object.freeze({
  showLastSeen: true,
  showOnline: true,
  sendReadReceipts: true,
  pushPreviews: true,
});

/**
 * A signed-in device: one per issued token (register, login, password change), keyed by the
 * token's `jti`. Ending a session revokes that token; revoking all tokens deletes all sessions.
 */
export interface SessionRecord {
  /** The token's `jti`. */
  id: string;
  userId: string;
  /** The client's `User-Agent` when the session started, cut to 512 characters; null when none. */
  userAgent: string | null;
  /** The client's address when the host can read it (see the host's `TRUST_PROXY`); else null. */
  ip: string | null;
  createdAt: Date;
  /** Last authenticated request or connection; the core writes it at most once a minute. */
  lastSeenAt: Date;
  /** The token's expiry: the session ends with it and a store may purge it after. */
  expiresAt: Date;
}

/** A Web Push subscription of one browser (RFC 8030 endpoint + RFC 8291 keys). */
export interface PushSubscriptionRecord {
  id: string;
  userId: string;
  /** The push service URL; unique across users (a browser has one per origin). */
  endpoint: string;
  /** The browser's P-256 public key, base64url. */
  p256dh: string;
  /** The browser's 16-byte auth secret, base64url. */
  auth: string;
  /**
   * The session (token `jti`) that subscribed: ending that session (sign-out on the device, from
   * the device list, logout-all) deletes the subscription, so a signed-out browser is not told of
   * messages any more. Null for subscriptions made outside a session (embedders).
   */
  sessionId: string | null;
  createdAt: Date;
}

/** What an outbox entry delivers. */
export type OutboxKind = 'webhook' | 'push';

/**
 * A pending delivery in the durable outbox: a webhook POST or a push notification. Entries are
 * written before anything is sent, claimed by one node at a time with a lease, and removed once
 * delivered, so a restart or a node kill re-sends instead of dropping (receivers dedupe by id).
 */
export interface OutboxRecord {
  /** Unique; writing an id twice keeps the first (so a retried enqueue is harmless). */
  id: string;
  kind: OutboxKind;
  /** The webhook URL, or the id of the user to notify. */
  target: string;
  /** The JSON text to deliver: the exact webhook body, or the push job. */
  payload: string;
  /** Claims so far (a claim counts as an attempt, so a crash mid-delivery counts too). */
  attempts: number;
  /** Not claimed before this time (backoff). */
  dueAt: Date;
  /** Claimed by a node until this time; null when not claimed. */
  leaseUntil: Date | null;
  /** What the last attempt answered; null before the first failure. */
  lastError: string | null;
  /** Set when the entry gave up after its last attempt; it is then never claimed again. */
  failedAt: Date | null;
  createdAt: Date;
}

/** What a one-time code is for. */
export type CodePurpose = 'verify_email' | 'reset_password';

/** A 6-digit one-time code (email verification or password reset), stored hashed. */
export interface OneTimeCodeRecord {
  id: string;
  userId: string;
  purpose: CodePurpose;
  /** SHA-256 (hex) of the code, salted with the user id. */
  codeHash: string;
  /** SHA-256 (hex) of the link token that verifies without typing the code; null when none. */
  linkTokenHash: string | null;
  /** Wrong tries so far. */
  attempts: number;
  expiresAt: Date;
  createdAt: Date;
}

/** A friend request's lifecycle: only `pending` requests can move, and only once. */
export type FriendRequestStatus = 'pending' | 'accepted' | 'rejected';

export interface FriendRequestRecord {
  id: string;
  fromId: string;
  toId: string;
  message: string | null;
  status: FriendRequestStatus;
  createdAt: Date;
  respondedAt: Date | null;
}

/** One side of a friendship: a friendship between A and B is stored as A→B and B→A. */
export interface FriendshipRecord {
  userId: string;
  friendId: string;
  since: Date;
}

/** `blockerId` has put `blockedId` on their blacklist. */
export interface BlockRecord {
  blockerId: string;
  blockedId: string;
  createdAt: Date;
}

/** A conversation is a private pair or a group. */
export type ConversationType = 'private' | 'group';

/** Kinds of message content. Media kinds carry a URL as content. */
export type ContentType = 'text' | 'image' | 'file' | 'audio' | 'video' | 'location' | 'custom' | 'system';

export interface ConversationRecord {
  /** `p:<smaller user id>:<larger user id>` for a private pair, `g:<group id>` for a group. */
  id: string;
  type: ConversationType;
  /** The two users of a private conversation, sorted; empty for a group. */
  memberIds: string[];
  groupId: string | null;
  /** Seq of the newest message; 0 while empty. */
  lastSeq: number;
  /**
   * The change counter: raised by every change to an existing message (recall, edit, reaction,
   * pin), whose `version` is then stamped with it; 0 while nothing changed.
   */
  lastVersion: number;
  lastMessageAt: Date | null;
  createdAt: Date;
}

/** A stored message. `seq` is assigned by the store at commit, 1, 2, 3 … per conversation. */
export interface MessageRecord {
  id: string;
  conversationId: string;
  type: ConversationType;
  senderId: string;
  receiverId: string | null;
  groupId: string | null;
  /** Emptied when the message is recalled. */
  content: string;
  contentType: ContentType;
  mentions: string[];
  mentionAll: boolean;
  replyTo: string | null;
  clientMsgId: string | null;
  seq: number;
  createdAt: Date;
  recalledAt: Date | null;
  recalledBy: string | null;
  /** When the sender last edited the content; null when never edited. */
  editedAt: Date | null;
  /** The conversation's change counter at the message's last change; 0 when never changed. */
  version: number;
  /** Messages whose `replyTo` is this one (its thread). */
  replyCount: number;
  /** When and by whom the message was pinned in its conversation; null when not pinned. */
  pinnedAt: Date | null;
  pinnedBy: string | null;
}

/**
 * Marks a draft whose `searchTokens` are those of its own content (`indexTokens` for text, none
 * otherwise) and are computed only when first read. A store that can index later (memoryStore, at
 * its next search) may derive them from the content it stored instead of reading them at write.
 */
export const TOKENS_FROM_CONTENT: unique symbol = Symbol('parley.tokensFromContent');

/**
 * A message before the store has numbered it, with the search tokens of its content (computed by
 * the core, see `messaging/search-tokens.ts`, so every store indexes the same ones). A store keeps
 * the tokens for `searchMessages` and never answers them back. `searchTokens` may be an accessor
 * computing them when first read: read the property itself (a copy of the draft's own fields,
 * such as a spread or structured clone, need not carry it).
 */
export type MessageDraft = Omit<MessageRecord, 'seq' | 'version' | 'replyCount' | 'pinnedAt' | 'pinnedBy'> & {
  searchTokens: readonly string[];
  /** See {@link TOKENS_FROM_CONTENT}. */
  readonly [TOKENS_FROM_CONTENT]?: true;
};

/** One emoji's reactions on a message, as one viewer sees them. */
export interface ReactionSummary {
  emoji: string;
  count: number;
  /** The viewer is among those who reacted with it. */
  mine: boolean;
}

/** A stored reaction: one per (message, user, emoji). */
export interface ReactionRecord {
  messageId: string;
  userId: string;
  emoji: string;
  createdAt: Date;
}

/**
 * A user's position in one conversation. Every seq only moves forward (the store applies a max),
 * so receipts derived from it (sent → delivered → read) can never move back.
 */
export interface ConversationCursorRecord {
  userId: string;
  conversationId: string;
  /** Everything up to this seq has been read by the user. */
  readSeq: number;
  /** Everything up to this seq has reached one of the user's devices. */
  deliveredSeq: number;
  /** Seq of the newest message that mentions the user; `mentioned` while it is above readSeq. */
  lastMentionSeq: number;
  updatedAt: Date;
}

export type GroupRole = 'owner' | 'admin' | 'member';
export type JoinPolicy = 'open' | 'approval' | 'invite';

export interface GroupAnnouncement {
  text: string;
  updatedAt: Date;
  updatedBy: string;
}

export interface GroupRecord {
  id: string;
  name: string;
  avatarUrl: string | null;
  ownerId: string;
  announcement: GroupAnnouncement | null;
  joinPolicy: JoinPolicy;
  muteAll: boolean;
  maxMembers: number;
  /** Maintained by the store on every add and remove. */
  memberCount: number;
  /** Raised to invalidate every group invite token issued before. */
  inviteVersion: number;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the owner dissolves the group; a dissolved group answers NOT_FOUND. */
  dissolvedAt: Date | null;
}

export interface GroupMemberRecord {
  groupId: string;
  userId: string;
  role: GroupRole;
  /** Muted until this time; null or past when not muted. */
  mutedUntil: Date | null;
  joinedAt: Date;
}

export type JoinRequestStatus = 'pending' | 'approved' | 'rejected';

export interface JoinRequestRecord {
  id: string;
  groupId: string;
  userId: string;
  message: string | null;
  status: JoinRequestStatus;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}
