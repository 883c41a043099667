/**
 * Zod schemas of the wire views in views.ts: what the REST routes answer and the socket events
 * carry. They describe the engine's output for generated API documents (OpenAPI, AsyncAPI) and for
 * tests that check real responses; the engine itself builds views with its mappers, not these.
 * The type checks at the bottom fail to compile when a schema and its view type drift apart.
 */
import { z } from 'zod';
import type { ClientEventMap, ClientEventName } from '../dispatch/client-events.js';
import type { ChatEventMap, ChatEventName } from '../events.js';
import type {
  AnnouncementView,
  AuthResult,
  ConversationView,
  FriendRequestView,
  FriendView,
  GroupCard,
  GroupMemberView,
  GroupView,
  InviteRedemption,
  InviteView,
  JoinRequestView,
  MessagePage,
  MessageView,
  PrivateUser,
  PublicUser,
  QrCodeView,
  SessionView,
  SyncPage,
} from './views.js';

const isoTime = z.iso.datetime();
const id = z.string();

export const publicUserSchema = z.object({
  id,
  nickname: z.string(),
  avatarUrl: z.string().nullable(),
  bio: z.string().nullable(),
  createdAt: isoTime,
});

export const privateUserSchema = publicUserSchema.extend({
  email: z.string(),
  emailVerified: z.boolean(),
  settings: z.object({
    privateMessagePolicy: z.enum(['friends', 'anyone']),
    showLastSeen: z.boolean(),
    showOnline: z.boolean(),
    sendReadReceipts: z.boolean(),
    pushPreviews: z.boolean(),
  }),
});

export const sessionViewSchema = z.object({
  id,
  userAgent: z.string().nullable(),
  ip: z.string().optional(),
  createdAt: isoTime,
  lastSeenAt: isoTime,
  current: z.boolean(),
});

export const authResultSchema = z.object({ user: privateUserSchema, token: z.string() });

export const friendViewSchema = z.object({
  user: publicUserSchema,
  online: z.boolean(),
  lastSeenAt: isoTime.nullable(),
  since: isoTime,
});

export const friendRequestViewSchema = z.object({
  id,
  fromId: id,
  toId: id,
  from: publicUserSchema,
  to: publicUserSchema,
  message: z.string().nullable(),
  status: z.enum(['pending', 'accepted', 'rejected']),
  createdAt: isoTime,
  respondedAt: isoTime.nullable(),
});

export const messageViewSchema = z.object({
  id,
  conversationId: id,
  type: z.enum(['private', 'group']),
  senderId: id,
  receiverId: id.optional(),
  groupId: id.optional(),
  content: z.string(),
  contentType: z.enum(['text', 'image', 'file', 'audio', 'video', 'location', 'custom', 'system']),
  mentions: z.array(id).optional(),
  mentionAll: z.boolean().optional(),
  replyTo: id.optional(),
  clientMsgId: z.string().optional(),
  seq: z.int().min(1),
  createdAt: isoTime,
  status: z.enum(['sent', 'delivered', 'read']).optional(),
  recalled: z.literal(true).optional(),
  editedAt: isoTime.optional(),
  reactions: z.array(z.object({ emoji: z.string(), count: z.int().min(1), me: z.boolean() })).optional(),
  replyCount: z.int().min(1).optional(),
  pinned: z.literal(true).optional(),
  version: z.int().min(0),
});

export const messagePageSchema = z.object({ messages: z.array(messageViewSchema), hasMore: z.boolean() });

/** What `sync` answers: new messages, the older ones changed since `afterVersion`, and the counter. */
export const syncPageSchema = z.object({
  messages: z.array(messageViewSchema),
  changed: z.array(messageViewSchema),
  hasMore: z.boolean(),
  version: z.int().min(0),
});

/** A page of messages with the cursor of the next one (threads, search). */
export const messageCursorPageSchema = z.object({
  messages: z.array(messageViewSchema),
  hasMore: z.boolean(),
  nextCursor: z.string().nullable(),
});

const joinPolicy = z.enum(['open', 'approval', 'invite']);
const groupRole = z.enum(['owner', 'admin', 'member']);

export const groupCardSchema = z.object({
  id,
  name: z.string(),
  avatarUrl: z.string().nullable(),
  joinPolicy,
  memberCount: z.int().min(0),
  maxMembers: z.int().min(1),
  createdAt: isoTime,
});

export const announcementViewSchema = z.object({ text: z.string(), updatedAt: isoTime, updatedBy: id });

export const groupViewSchema = groupCardSchema.extend({
  ownerId: id,
  announcement: announcementViewSchema.optional(),
  muteAll: z.boolean(),
  myRole: groupRole.optional(),
});

export const groupMemberViewSchema = z.object({
  user: publicUserSchema,
  userId: id,
  role: groupRole,
  mutedUntil: isoTime.nullable(),
  joinedAt: isoTime,
});

export const joinRequestViewSchema = z.object({
  id,
  groupId: id,
  userId: id,
  user: publicUserSchema,
  message: z.string().nullable(),
  status: z.enum(['pending', 'approved', 'rejected']),
  createdAt: isoTime,
});

export const conversationViewSchema = z.object({
  id,
  type: z.enum(['private', 'group']),
  peer: publicUserSchema.optional(),
  group: groupCardSchema.optional(),
  lastMessage: messageViewSchema.nullable(),
  lastSeq: z.int().min(0),
  unreadCount: z.int().min(0),
  mentioned: z.boolean(),
  updatedAt: isoTime,
});

export const qrCodeViewSchema = z.object({
  token: z.string(),
  url: z.string(),
  image: z.string(),
  expiresAt: isoTime.optional(),
});

export const inviteViewSchema = z.object({
  kind: z.enum(['user', 'group']),
  user: publicUserSchema.optional(),
  group: groupCardSchema.optional(),
  expiresAt: isoTime.optional(),
});

export const inviteRedemptionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('user'),
    request: friendRequestViewSchema.nullable(),
    friend: friendViewSchema.nullable(),
  }),
  z.object({ kind: z.literal('group'), group: groupViewSchema, joined: z.literal(true) }),
]);

/** A cursor-paginated list under `key`, as the REST list routes answer it. */
export function paginatedSchema<K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({ [key]: z.array(item), hasMore: z.boolean(), nextCursor: z.string().nullable() } as {
    [P in K]: z.ZodArray<T>;
  } & { hasMore: z.ZodBoolean; nextCursor: z.ZodNullable<z.ZodString> });
}

/** The REST error body and the `{ ok: false }` ack's error: `{ code, message, details? }`. */
export const chatErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** Every view schema by the name the API documents give it. */
export const viewSchemas = {
  PublicUser: publicUserSchema,
  PrivateUser: privateUserSchema,
  AuthResult: authResultSchema,
  FriendView: friendViewSchema,
  FriendRequest: friendRequestViewSchema,
  Message: messageViewSchema,
  MessagePage: messagePageSchema,
  SyncPage: syncPageSchema,
  MessageCursorPage: messageCursorPageSchema,
  GroupCard: groupCardSchema,
  Announcement: announcementViewSchema,
  Group: groupViewSchema,
  GroupMember: groupMemberViewSchema,
  JoinRequest: joinRequestViewSchema,
  Conversation: conversationViewSchema,
  QrCode: qrCodeViewSchema,
  Invite: inviteViewSchema,
  InviteRedemption: inviteRedemptionSchema,
  ChatErrorBody: chatErrorBodySchema,
} as const;

/** The payload of every server→client event of `ChatEventMap`, plus `chat_error`. */
export const serverEventSchemas = {
  new_private_message: messageViewSchema,
  new_group_message: messageViewSchema,
  message_delivered: z.object({ messageId: id, conversationId: id, userId: id, seq: z.int() }),
  message_read: z.object({ messageId: id, readerId: id, conversationId: id, seq: z.int() }),
  message_recalled: z.object({ messageId: id, conversationId: id, by: id }),
  message_edited: z.object({
    messageId: id,
    conversationId: id,
    content: z.string(),
    editedAt: isoTime,
    version: z.int().min(1),
  }),
  message_reaction: z.object({
    messageId: id,
    conversationId: id,
    userId: id,
    emoji: z.string(),
    add: z.boolean(),
    version: z.int().min(1),
  }),
  message_pinned: z.object({ conversationId: id, messageId: id, by: id, version: z.int().min(1) }),
  message_unpinned: z.object({ conversationId: id, messageId: id, by: id, version: z.int().min(1) }),
  mention: z.object({ messageId: id, groupId: id, from: id }),
  typing_status_update: z.object({ from: id, isTyping: z.boolean(), groupId: id.optional() }),
  user_presence: z.object({
    userId: id,
    status: z.enum(['online', 'offline']),
    lastSeenAt: isoTime.optional(),
  }),
  friend_request: friendRequestViewSchema,
  friend_request_accepted: friendRequestViewSchema,
  friend_request_rejected: friendRequestViewSchema,
  friend_removed: z.object({ userId: id, user: publicUserSchema }),
  group_announcement_updated: z.object({ groupId: id, announcement: announcementViewSchema.nullable() }),
  group_updated: z.object({ groupId: id, group: groupViewSchema }),
  group_member_joined: z.object({ groupId: id, userId: id, user: publicUserSchema, by: id.nullable() }),
  group_member_left: z.object({ groupId: id, userId: id }),
  group_member_removed: z.object({ groupId: id, userId: id, by: id }),
  group_member_muted: z.object({ groupId: id, userId: id, mutedUntil: isoTime.nullable(), by: id }),
  group_join_request: z.object({ groupId: id, request: joinRequestViewSchema }),
  group_dissolved: z.object({ groupId: id, by: id }),
  user_updated: publicUserSchema,
} as const satisfies Record<ChatEventName, z.ZodType>;

/** `chat_error`: a failed event without an ack, or a session that ended. */
export const chatErrorEventSchema = z.object({ event: z.string(), code: z.string(), message: z.string() });

/** The `data` of each client event's `{ ok: true, data }` ack. */
export const clientEventAckSchemas = {
  private_message: z.object({ message: messageViewSchema }),
  group_message: z.object({ message: messageViewSchema }),
  message_status_update: z.object({}),
  typing_status: z.object({}),
  join_group_room: z.object({ groupId: id }),
  recall_message: z.object({ message: messageViewSchema }),
  sync: syncPageSchema,
  edit_message: z.object({ message: messageViewSchema }),
  react_message: z.object({ message: messageViewSchema }),
} as const satisfies Record<ClientEventName, z.ZodType>;

// Compile-time drift checks: each schema's output and its view type are mutually assignable.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const viewTypesMatch: [
  Same<z.output<typeof publicUserSchema>, PublicUser>,
  Same<z.output<typeof privateUserSchema>, PrivateUser>,
  Same<z.output<typeof authResultSchema>, AuthResult>,
  Same<z.output<typeof friendViewSchema>, FriendView>,
  Same<z.output<typeof friendRequestViewSchema>, FriendRequestView>,
  Same<z.output<typeof messageViewSchema>, MessageView>,
  Same<z.output<typeof messagePageSchema>, MessagePage>,
  Same<z.output<typeof syncPageSchema>, SyncPage>,
  Same<z.output<typeof groupCardSchema>, GroupCard>,
  Same<z.output<typeof announcementViewSchema>, AnnouncementView>,
  Same<z.output<typeof groupViewSchema>, GroupView>,
  Same<z.output<typeof groupMemberViewSchema>, GroupMemberView>,
  Same<z.output<typeof joinRequestViewSchema>, JoinRequestView>,
  Same<z.output<typeof conversationViewSchema>, ConversationView>,
  Same<z.output<typeof qrCodeViewSchema>, QrCodeView>,
  Same<z.output<typeof inviteViewSchema>, InviteView>,
  Same<z.output<typeof inviteRedemptionSchema>, InviteRedemption>,
  Same<z.output<typeof sessionViewSchema>, SessionView>,
] = [
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
];
void viewTypesMatch;

type ServerEventsMatch = {
  [K in ChatEventName]: Same<z.output<(typeof serverEventSchemas)[K]>, ChatEventMap[K]>;
}[ChatEventName];
type AcksMatch = {
  [K in ClientEventName]: [ClientEventMap[K]['data']] extends [z.output<(typeof clientEventAckSchemas)[K]>]
    ? true
    : false;
}[ClientEventName];
const eventTypesMatch: [ServerEventsMatch, AcksMatch] = [true, true];
void eventTypesMatch;
