/**
 * `@parley/client`: the typed client SDK of Parley, for browsers and Node.
 *
 * ```ts
 * import { createParleyClient, createParleyRest } from '@parley/client';
 *
 * const { token } = await createParleyRest({ url }).auth.login({ email, password });
 * const client = createParleyClient({ url, token });
 * client.on('message:added', ({ message }) => render(message));
 * client.send({ to: friendId, content: 'Hello!' });
 * ```
 */

export type {
  AckResponse,
  AuthResult,
  ClientEventMap,
  ConversationView,
  FriendRequestView,
  FriendView,
  GroupCard,
  GroupMemberView,
  GroupView,
  MessageView,
  PrivateUser,
  PublicUser,
  PushNotificationPayload,
  ServerToClientEvents,
  SessionView,
  UserSettings,
} from '@parley/chat-core';
export {
  type ClientOutbox,
  createParleyClient,
  type ParleyClient,
  type ParleyClientOptions,
} from './client.js';
export {
  conversationPartner,
  groupConversationId,
  privateConversationId,
  tokenSubject,
} from './conversation-ids.js';
export {
  type ClientErrorCode,
  errorFromBody,
  isParleyError,
  ParleyError,
  type ParleyErrorCode,
  type ParleyErrorInit,
} from './errors/parley-error.js';
export type { ConnectionState, ParleyClientEvents } from './events/client-events.js';
export type { Listenable } from './events/emitter.js';
export {
  newClientMsgId,
  type OutboxEntry,
  type OutboxRecord,
  type OutboxState,
  type SendInput,
} from './outbox/outbox-entry.js';
export {
  type LocalStorageOutboxOptions,
  localStorageOutbox,
  memoryOutboxStorage,
  type OutboxStorage,
  type WebStorageLike,
} from './outbox/outbox-storage.js';
export {
  applicationServerKey,
  type PushClient,
  type PushRegistrationLike,
  type PushSubscriptionLike,
  type PushSubscriptionResult,
  pushSupported,
  type SubscribeToPushOptions,
  subscribeToPush,
  type UnsubscribeFromPushOptions,
  unsubscribeFromPush,
} from './push/web-push.js';
export { type BackoffOptions, backoffDelay } from './realtime/backoff.js';
export type { ParleySocket } from './realtime/session.js';
export type {
  ClientToServerEvents,
  ServerEventName,
  ServerEventPayload,
  ServerEvents,
} from './realtime/socket-events.js';
export type { TypingOptions } from './realtime/typing-sender.js';
export type { AuthApi } from './rest/auth.js';
export type { BlacklistApi, FriendsApi } from './rest/friends.js';
export type { GroupsApi } from './rest/groups.js';
export type { FetchLike, Query } from './rest/http.js';
export { createParleyRest, type ParleyRest, type ParleyRestOptions } from './rest/index.js';
export { type HealthView, type InvitesApi, inviteTokenFromUrl } from './rest/invites.js';
export type { ConversationsApi, MessagesApi, ReactionView } from './rest/messages.js';
export type { CursorPage, PageQuery } from './rest/pages.js';
export type { PushApi, PushConfig } from './rest/push.js';
export type { PrivacySettingsInput, PushSubscriptionInput, UsersApi } from './rest/users.js';
export type { ConversationSnapshot } from './store/conversation-snapshot.js';
export type { PresenceSnapshot } from './store/presence.js';
