/** Every collection of the adapter: its schema, keyed by the collection's base name (before the prefix). */
import { blockSchema } from './blocks.js';
import { conversationSchema } from './conversations.js';
import { cursorSchema } from './cursors.js';
import { friendRequestSchema } from './friend-requests.js';
import { friendshipSchema } from './friendships.js';
import { groupMemberSchema } from './group-members.js';
import { groupSchema } from './groups.js';
import { joinRequestSchema } from './join-requests.js';
import { messageSchema } from './messages.js';
import { oneTimeCodeSchema } from './one-time-codes.js';
import { outboxSchema } from './outbox.js';
import { pushSubscriptionSchema } from './push-subscriptions.js';
import { reactionSchema } from './reactions.js';
import { revokedTokenSchema } from './revoked-tokens.js';
import { sessionSchema } from './sessions.js';
import { userSchema } from './users.js';

export const SCHEMAS = {
  users: userSchema,
  one_time_codes: oneTimeCodeSchema,
  revoked_tokens: revokedTokenSchema,
  friend_requests: friendRequestSchema,
  friendships: friendshipSchema,
  blocks: blockSchema,
  conversations: conversationSchema,
  messages: messageSchema,
  reactions: reactionSchema,
  cursors: cursorSchema,
  groups: groupSchema,
  group_members: groupMemberSchema,
  join_requests: joinRequestSchema,
  sessions: sessionSchema,
  push_subscriptions: pushSubscriptionSchema,
  outbox: outboxSchema,
} as const;

/** A collection's base name. */
export type CollectionName = keyof typeof SCHEMAS;
