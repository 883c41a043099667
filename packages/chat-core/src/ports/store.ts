/**
 * The storage port. An adapter implements it to keep Parley's data in a database; `memoryStore()`
 * is the reference implementation and the conformance kit (`@parley/chat-core/testing`) checks
 * that every adapter behaves exactly like it.
 *
 * Division of labour: the core owns ids, timestamps, validation, authorization and events. A store
 * only stores and fetches, and guarantees the few atomic steps named below (unique keys, seq
 * allocation, conditional status moves, max-merges of cursors, capacity-checked adds).
 *
 * General rules for every method:
 * - A lookup that matches nothing answers `null` (single) or an empty list, never throws.
 * - An id that cannot exist in the store (e.g. not a valid ObjectId for Mongo) is "nothing matches".
 * - Records are returned as fresh objects: mutating them never changes what is stored.
 * - The only `ChatError`s a store throws are the conflicts named on each method; anything else
 *   it throws is wrapped by the core as INTERNAL (or STORE_UNAVAILABLE when it says so).
 */
import type {
  BlockRecord,
  CodePurpose,
  ConversationCursorRecord,
  ConversationRecord,
  FriendRequestRecord,
  FriendRequestStatus,
  FriendshipRecord,
  GroupMemberRecord,
  GroupRecord,
  GroupRole,
  JoinRequestRecord,
  JoinRequestStatus,
  MessageDraft,
  MessageRecord,
  OneTimeCodeRecord,
  OutboxRecord,
  PushSubscriptionRecord,
  ReactionRecord,
  ReactionSummary,
  SessionRecord,
  UserRecord,
} from '../domain/records.js';

/**
 * A cursor-paginated query. `cursor` is opaque: only the store that issued it understands it. A
 * cursor the store did not issue (malformed, tampered, another list's) must be refused with
 * `invalidCursorError()` (VALIDATION_FAILED), never answered with an empty or a first page.
 */
export interface PageQuery {
  cursor?: string | undefined;
  /** 1 to 100. */
  limit: number;
}

/** A page of results in the order each method names. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Fields of a user that may change after creation. */
export type UserPatch = Partial<
  Pick<
    UserRecord,
    | 'nickname'
    | 'avatarUrl'
    | 'bio'
    | 'emailVerified'
    | 'passwordHash'
    | 'tokenVersion'
    | 'inviteVersion'
    | 'lastSeenAt'
    | 'privacy'
    | 'updatedAt'
  >
>;

/** Accounts. */
export interface UserStore {
  /** Inserts a user. Throws `ChatError('EMAIL_TAKEN')` when the email is already registered. */
  create(user: UserRecord): Promise<UserRecord>;
  getById(id: string): Promise<UserRecord | null>;
  /** Users with these ids, in any order; unknown ids are left out. */
  getByIds(ids: readonly string[]): Promise<UserRecord[]>;
  /** Exact match on the normalized (trimmed, lower-cased) email. */
  getByEmail(email: string): Promise<UserRecord | null>;
  /** Applies the patch and answers the updated user, or null when there is no such user. */
  update(id: string, patch: UserPatch): Promise<UserRecord | null>;
  /**
   * Atomically raises `tokenVersion` by one (and sets `updatedAt`); answers the updated user, or
   * null when there is none. Concurrent calls each raise it.
   */
  bumpTokenVersion(id: string, at: Date): Promise<UserRecord | null>;
  /**
   * Users whose nickname starts with `prefix`, compared case-insensitively, ordered by nickname
   * then id; at most `limit`. An empty prefix matches nobody.
   */
  searchByNicknamePrefix(prefix: string, limit: number): Promise<UserRecord[]>;
}

/** One-time codes and revoked JWTs. Both expire; an adapter may purge them after `expiresAt`. */
export interface AuthTokenStore {
  /** Stores a code, replacing any earlier code of the same user and purpose. */
  putCode(code: OneTimeCodeRecord): Promise<void>;
  /** The current code of that user and purpose (expired or not), or null. */
  getCode(userId: string, purpose: CodePurpose): Promise<OneTimeCodeRecord | null>;
  /** The code whose `linkTokenHash` equals `hash`, or null. */
  getCodeByLinkTokenHash(hash: string): Promise<OneTimeCodeRecord | null>;
  /** Atomically adds one wrong try; answers the new count, or null when the code is gone. */
  incrementCodeAttempts(codeId: string): Promise<number | null>;
  /** Deletes the code; true only for the one call that deleted it (single use under races). */
  consumeCode(codeId: string): Promise<boolean>;
  /** Marks a JWT id as revoked until `expiresAt` (the token's own expiry). Idempotent. */
  revokeToken(jti: string, expiresAt: Date): Promise<void>;
  /** Whether the JWT id was revoked (and its record not yet purged). */
  isTokenRevoked(jti: string): Promise<boolean>;
}

/** The relation of user `a` to user `b`, in one read. */
export interface Relation {
  /** `a`'s side of the friendship, or null when they are not friends. */
  friendship: FriendshipRecord | null;
  aBlocksB: boolean;
  bBlocksA: boolean;
}

/** Friend requests, friendships and the blacklist. */
export interface SocialStore {
  /**
   * Inserts a pending request unless one from `fromId` to `toId` is already pending, in which case
   * that one is answered with `created: false`. Atomic: concurrent calls create at most one.
   */
  createRequest(request: FriendRequestRecord): Promise<{ request: FriendRequestRecord; created: boolean }>;
  getRequest(id: string): Promise<FriendRequestRecord | null>;
  /** The pending request from `fromId` to `toId`, or null. */
  getPendingRequest(fromId: string, toId: string): Promise<FriendRequestRecord | null>;
  /** Pending requests to (`incoming`) or from (`outgoing`) the user, newest first. */
  listPendingRequests(
    userId: string,
    direction: 'incoming' | 'outgoing',
    page: PageQuery,
  ): Promise<Page<FriendRequestRecord>>;
  /**
   * Moves a pending request to `status`; answers the updated request, or null when it was not
   * pending (so of two concurrent accepts, exactly one wins).
   */
  resolveRequest(
    id: string,
    status: Exclude<FriendRequestStatus, 'pending'>,
    at: Date,
  ): Promise<FriendRequestRecord | null>;
  /** Deletes pending requests between the two users in both directions; answers how many. */
  deletePendingBetween(a: string, b: string): Promise<number>;
  /** Stores both sides of a friendship; false (and no change) when they already are friends. */
  addFriendship(a: string, b: string, since: Date): Promise<boolean>;
  /** Removes both sides; false when they were not friends. */
  removeFriendship(a: string, b: string): Promise<boolean>;
  /** Friendship and blocks between `a` and `b` in both directions. */
  getRelation(a: string, b: string): Promise<Relation>;
  /** The user's friendships, oldest first. */
  listFriends(userId: string, page: PageQuery): Promise<Page<FriendshipRecord>>;
  /** Ids of all of the user's friends (the audience of presence and profile events). */
  listFriendIds(userId: string): Promise<string[]>;
  /** Blocks `blockedId`; false (and no change) when already blocked. */
  addBlock(block: BlockRecord): Promise<boolean>;
  /** Lifts a block; false when there was none. */
  removeBlock(blockerId: string, blockedId: string): Promise<boolean>;
  /** Whom the user has blocked, newest first. */
  listBlocks(blockerId: string, page: PageQuery): Promise<Page<BlockRecord>>;
  /** Of `candidateIds`, those who have blocked `userId` or whom `userId` has blocked. */
  filterBlockedEither(userId: string, candidateIds: readonly string[]): Promise<Set<string>>;
}

/** Which slice of a conversation's history to read. */
export interface HistoryQuery {
  /** Only messages with seq below this. */
  beforeSeq?: number | undefined;
  /** Only messages with seq above this. Ignored when `beforeSeq` is set. */
  afterSeq?: number | undefined;
  /** 1 to 100. */
  limit: number;
  /** Leave out messages created before this time (the roaming window). */
  notBefore?: Date | undefined;
  /** Leave out messages this user deleted for themselves. */
  viewerId?: string | undefined;
}

/** Changes to a cursor; each seq only moves forward (the store keeps the max). */
export interface CursorAdvance {
  readSeq?: number;
  deliveredSeq?: number;
  lastMentionSeq?: number;
}

/** Options of {@link MessageStore.appendMessage}. */
export interface AppendOptions {
  /**
   * Moves the sender's cursor to the new message (`readSeq` and `deliveredSeq` to its seq, each
   * kept at the max, `updatedAt` to the message's `createdAt` when one moved), creating the cursor
   * at zeros first, in the same atomic step as the append.
   * @default false
   */
  senderCursor?: boolean;
}

/** Conversations, messages and per-user cursors. */
export interface MessageStore {
  /** Creates the conversation unless it exists; answers the stored one either way. */
  ensureConversation(conversation: ConversationRecord): Promise<ConversationRecord>;
  getConversation(id: string): Promise<ConversationRecord | null>;
  getConversations(ids: readonly string[]): Promise<ConversationRecord[]>;
  /**
   * Numbers and stores a message: seq is the conversation's `lastSeq + 1`, allocated atomically so
   * that concurrent appends get 1, 2, 3 … with no gap and no repeat; the conversation's `lastSeq`
   * and `lastMessageAt` move with it. When the draft has a `clientMsgId` and a message of the same
   * sender with that `clientMsgId` exists, nothing is written and that message is answered with
   * `created: false` (also under concurrent repeats: exactly one is created, no seq is burnt).
   * A created reply (`replyTo` set) raises its parent's `replyCount` by one in the same atomic
   * step. A new message starts at version 0, replyCount 0, unpinned. The conversation must exist
   * (see `ensureConversation`).
   *
   * With `senderCursor`, the sender's cursor in the conversation (created when missing) moves to
   * the new seq, read and delivered, in the same atomic step as the message (a sender has read
   * what they sent): one write where a send took two. Nothing moves when `created` is false.
   */
  appendMessage(
    draft: MessageDraft,
    options?: AppendOptions,
  ): Promise<{ message: MessageRecord; created: boolean }>;
  getMessage(id: string): Promise<MessageRecord | null>;
  /**
   * One page of history, ascending by seq: without cursors the newest `limit`; with `beforeSeq`
   * the `limit` just before it; with `afterSeq` the `limit` just after it. `hasMore` says whether
   * more messages lie beyond the page in the direction read (older without cursors or with
   * `beforeSeq`, newer with `afterSeq`). Cost O(limit + hidden messages skipped).
   */
  listMessages(
    conversationId: string,
    query: HistoryQuery,
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }>;
  /**
   * Empties the content, sets `recalledAt`/`recalledBy` and stamps a new change version (see
   * {@link MessageStore.editMessage}); null when no such message. A message already recalled keeps
   * its first recall (author, time and version) and is answered as it is.
   */
  recallMessage(id: string, by: string, at: Date): Promise<MessageRecord | null>;
  /**
   * Sets new content, `editedAt` and the content's search tokens, and stamps a new change version:
   * in one atomic step the conversation's `lastVersion` is raised by one and the message's
   * `version` set to it (so concurrent changes get distinct, increasing versions). Null when no
   * such message or when it is recalled (a recalled message never changes again).
   */
  editMessage(
    id: string,
    edit: { content: string; editedAt: Date; searchTokens: readonly string[] },
  ): Promise<MessageRecord | null>;
  /**
   * Adds one reaction unless the same (message, user, emoji) exists, stamping a new change version
   * on the message when it was added. `added` is false (nothing written) for a repeat; the message
   * is null when there is no such message.
   */
  addReaction(reaction: ReactionRecord): Promise<{ message: MessageRecord | null; added: boolean }>;
  /** Removes one reaction, stamping a new change version when there was one to remove. */
  removeReaction(
    messageId: string,
    userId: string,
    emoji: string,
  ): Promise<{ message: MessageRecord | null; removed: boolean }>;
  /**
   * The reactions of these messages as `viewerId` sees them: per message, one entry per emoji with
   * its count and whether the viewer is among them, ordered by first reaction. Messages without
   * reactions have no entry. One call for a whole page.
   */
  summarizeReactions(
    messageIds: readonly string[],
    viewerId: string,
  ): Promise<Map<string, ReactionSummary[]>>;
  /**
   * Pins a message in its conversation, atomically against `maxPins` pinned messages there, and
   * stamps a new change version. `pinned` when pinned now, `already` (nothing written) when it was,
   * `full` (nothing written) when the conversation holds `maxPins` already; null when no message.
   */
  pinMessage(
    id: string,
    by: string,
    at: Date,
    maxPins: number,
  ): Promise<{ message: MessageRecord; outcome: 'pinned' | 'already' | 'full' } | null>;
  /** Unpins a message, stamping a new change version; `unpinned` false (nothing written) when it was not pinned. */
  unpinMessage(id: string): Promise<{ message: MessageRecord; unpinned: boolean } | null>;
  /** The pinned messages of a conversation, most recently pinned first (at most the pin limit). */
  listPinned(conversationId: string): Promise<MessageRecord[]>;
  /**
   * Messages of the conversation whose change version is above `afterVersion` and whose seq is at
   * most `maxSeq`, ascending by version: what changed in messages a client already holds. Same
   * `notBefore` and `viewerId` rules as {@link listMessages}. Served by an index on
   * (conversation, version).
   */
  listChanged(
    conversationId: string,
    query: {
      afterVersion: number;
      maxSeq: number;
      limit: number;
      notBefore?: Date | undefined;
      viewerId?: string | undefined;
    },
  ): Promise<{ items: MessageRecord[]; hasMore: boolean }>;
  /**
   * The replies to a message (messages whose `replyTo` is `messageId`), ascending by seq, paged by
   * an opaque cursor; hidden-for-viewer messages and those before `notBefore` left out.
   */
  listReplies(
    messageId: string,
    query: PageQuery & { notBefore?: Date | undefined; viewerId?: string | undefined },
  ): Promise<Page<MessageRecord>>;
  /**
   * Messages whose search tokens include every one of `tokens`, in the given conversations, newest
   * first (by createdAt, then id), paged by an opaque cursor. Recalled messages, messages hidden
   * for `viewerId` and messages created before `notBefore` are never answered. Served by an index
   * on the tokens (GIN, FTS, a multikey index), never a scan of every message.
   */
  searchMessages(query: {
    tokens: readonly string[];
    conversationIds: readonly string[];
    viewerId: string;
    notBefore?: Date | undefined;
    cursor?: string | undefined;
    limit: number;
  }): Promise<Page<MessageRecord>>;
  /** Hides a message from one user's history (delete-for-me). Idempotent. */
  hideMessage(userId: string, messageId: string): Promise<void>;
  getCursor(userId: string, conversationId: string): Promise<ConversationCursorRecord | null>;
  /** Every cursor of the user (one per conversation they take part in). */
  listCursorsOfUser(userId: string): Promise<ConversationCursorRecord[]>;
  /**
   * Merges the advance into the cursor (creating it at zeros first), keeping the max of each seq;
   * answers the cursor before (null when created) and after.
   */
  advanceCursor(
    userId: string,
    conversationId: string,
    advance: CursorAdvance,
    at: Date,
  ): Promise<{ before: ConversationCursorRecord | null; after: ConversationCursorRecord }>;
  /** Removes the user's cursor (on leaving a group). */
  deleteCursor(userId: string, conversationId: string): Promise<void>;
  /** Ids of users whose readSeq in the conversation is at least `seq`. */
  listReaders(conversationId: string, seq: number, page: PageQuery): Promise<Page<string>>;
}

/** Fields of a group that may change after creation. */
export type GroupPatch = Partial<
  Pick<
    GroupRecord,
    | 'name'
    | 'avatarUrl'
    | 'ownerId'
    | 'announcement'
    | 'joinPolicy'
    | 'muteAll'
    | 'inviteVersion'
    | 'updatedAt'
    | 'dissolvedAt'
  >
>;

/** Fields of a membership that may change. */
export type MemberPatch = Partial<Pick<GroupMemberRecord, 'role' | 'mutedUntil'>>;

/** Groups, memberships and join requests. */
export interface GroupStore {
  /** Inserts a group with its first members; `memberCount` is set from them. */
  create(group: GroupRecord, members: GroupMemberRecord[]): Promise<GroupRecord>;
  /** The group, dissolved or not, or null. */
  get(id: string): Promise<GroupRecord | null>;
  getMany(ids: readonly string[]): Promise<GroupRecord[]>;
  update(id: string, patch: GroupPatch): Promise<GroupRecord | null>;
  /**
   * Adds the members who are not members yet, atomically against `maxMembers`: when
   * `memberCount` plus the new ones would pass it, nothing is added and
   * `ChatError('GROUP_FULL')` is thrown. Answers the members actually added.
   */
  addMembers(groupId: string, members: GroupMemberRecord[], maxMembers: number): Promise<GroupMemberRecord[]>;
  /** Removes a membership and lowers `memberCount`; false when not a member. */
  removeMember(groupId: string, userId: string): Promise<boolean>;
  getMember(groupId: string, userId: string): Promise<GroupMemberRecord | null>;
  updateMember(groupId: string, userId: string, patch: MemberPatch): Promise<GroupMemberRecord | null>;
  /** Members ordered by role (owner, admins, members) then join time. */
  listMembers(groupId: string, page: PageQuery): Promise<Page<GroupMemberRecord>>;
  /** Every member id in one call: the audience of a group message. */
  listMemberIds(groupId: string): Promise<string[]>;
  /** Members holding one of these roles (e.g. the admins to tell of a join request). */
  listMembersByRole(groupId: string, roles: readonly GroupRole[]): Promise<GroupMemberRecord[]>;
  /** The user's memberships, in any order. */
  listMembershipsOfUser(userId: string): Promise<GroupMemberRecord[]>;
  /** Removes every membership of the group (on dissolve); answers the former member ids. */
  removeAllMembers(groupId: string): Promise<string[]>;
  /** Inserts a pending join request unless one by the same user is pending for that group. */
  createJoinRequest(request: JoinRequestRecord): Promise<{ request: JoinRequestRecord; created: boolean }>;
  getJoinRequest(id: string): Promise<JoinRequestRecord | null>;
  /** Pending join requests of a group, oldest first. */
  listPendingJoinRequests(groupId: string, page: PageQuery): Promise<Page<JoinRequestRecord>>;
  /** Moves a pending request to `status`; null when it was not pending. */
  resolveJoinRequest(
    id: string,
    status: Exclude<JoinRequestStatus, 'pending'>,
    by: string,
    at: Date,
  ): Promise<JoinRequestRecord | null>;
}

/**
 * Signed-in devices, one per issued token (see {@link SessionRecord}). The core decides what a
 * session is; the store keeps the rows. Expired sessions may be purged at any time.
 */
export interface SessionStore {
  /** Inserts a session; an existing id is replaced (ids are token ids, unique by construction). */
  create(session: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | null>;
  /** The user's sessions that expire after `now`, most recently seen first (then id), at most 100. */
  listByUser(userId: string, now: Date): Promise<SessionRecord[]>;
  /** Moves `lastSeenAt` forward to `at` (never back); false when there is no such session. */
  touch(id: string, at: Date): Promise<boolean>;
  /** Deletes the session of that user; true only when it existed (so one of two racing ends wins). */
  delete(userId: string, id: string): Promise<boolean>;
  /** Deletes every session of the user (logout-all, password change or reset). */
  deleteAllOfUser(userId: string): Promise<void>;
}

/** Web Push subscriptions of users' browsers. */
export interface PushSubscriptionStore {
  /**
   * Stores a subscription. The endpoint is unique: when it exists (the same browser subscribing
   * again, perhaps for another account) the stored one is replaced, owner and keys included, and
   * keeps its id when the owner is the same. Answers what is stored now.
   */
  upsert(subscription: PushSubscriptionRecord): Promise<PushSubscriptionRecord>;
  /** The user's subscriptions, oldest first. */
  listByUser(userId: string): Promise<PushSubscriptionRecord[]>;
  /** Of these users, those with at least one subscription (one query for a whole audience). */
  usersWithSubscriptions(userIds: readonly string[]): Promise<Set<string>>;
  /** Deletes one subscription of that user; false when the user has none with that id. */
  delete(userId: string, id: string): Promise<boolean>;
  /** Deletes the subscription with this endpoint, whoever owns it (the push service said 404/410). */
  deleteByEndpoint(endpoint: string): Promise<void>;
  /** Deletes the subscriptions made in this session (it ended). */
  deleteBySession(sessionId: string): Promise<void>;
  /** Deletes every subscription of the user (all their sessions ended). */
  deleteAllOfUser(userId: string): Promise<void>;
}

/**
 * The durable outbox of deliveries (webhooks, pushes): written before anything is sent, claimed
 * by one worker at a time, so every node may run a worker and each entry is attempted by one node
 * at a time, and a node that dies mid-delivery leaves the entry to be claimed again when its
 * lease runs out.
 */
export interface OutboxStore {
  /** Inserts the entries in one write; an id that exists is left as it is. */
  enqueue(entries: readonly OutboxRecord[]): Promise<void>;
  /**
   * Atomically claims up to `limit` entries that are due (`dueAt <= now`), not failed, and not
   * leased (`leaseUntil` null or `<= now`), oldest `dueAt` first: sets their `leaseUntil` and raises
   * their `attempts` by one, and answers them as updated. Two concurrent claims, from any nodes,
   * never answer the same entry.
   */
  claimDue(now: Date, limit: number, leaseUntil: Date): Promise<OutboxRecord[]>;
  /** Removes a delivered entry. */
  complete(id: string): Promise<void>;
  /**
   * Releases an entry for another attempt at `dueAt`, recording the error (and, when given, a new
   * payload, e.g. only the push subscriptions still to be served).
   */
  reschedule(id: string, retry: { dueAt: Date; lastError: string; payload?: string }): Promise<void>;
  /** Gives up on an entry: it stays for inspection with `failedAt` set and is never claimed again. */
  fail(id: string, at: Date, lastError: string): Promise<void>;
  /** Entries not delivered yet, failed ones apart (a gauge for `/metrics` and tests). */
  countPending(): Promise<number>;
}

/** What a store can or cannot do, declared rather than probed. */
export interface StoreCapabilities {
  /** Multi-document writes are atomic (e.g. MongoDB transactions on a replica set). */
  transactions: boolean;
  /** Data outlives the process. */
  persistent: boolean;
}

/** The whole storage port. */
export interface ChatStore {
  readonly name: string;
  readonly capabilities: StoreCapabilities;
  readonly users: UserStore;
  readonly authTokens: AuthTokenStore;
  readonly social: SocialStore;
  readonly messages: MessageStore;
  readonly groups: GroupStore;
  readonly sessions: SessionStore;
  readonly pushSubscriptions: PushSubscriptionStore;
  readonly outbox: OutboxStore;
  /** Resolves when the store answers; rejects when it is down (drives `/health`). */
  ping(): Promise<void>;
  /** Releases connections the store opened itself. Safe to call twice. */
  close(): Promise<void>;
}
