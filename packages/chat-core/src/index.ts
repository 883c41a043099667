/**
 * `@parley/chat-core`: Parley's framework-agnostic chat engine.
 *
 * ```ts
 * const engine = createChatEngine({ store: memoryStore(), config: { jwtSecret } });
 * const { user, token } = await engine.auth.register({ email, password, nickname });
 * ```
 */

export * from './api-schemas.js';
export { type ChatConfig, type ChatConfigInput, chatConfigSchema, parseConfig } from './config.js';
export type { EngineContext, Origin } from './context.js';
export {
  type AckResponse,
  CLIENT_EVENT_NAMES,
  type ClientEventMap,
  type ClientEventName,
  clientEventSchemas,
  type EditMessageInput,
  isClientEventName,
  type ReactMessageInput,
  type StatusUpdateInput,
  type SyncInput,
} from './dispatch/client-events.js';
export type { DispatchConnection, Dispatcher, HandleOptions } from './dispatch/dispatcher.js';
export { type EventBudget, eventRule } from './dispatch/event-budget.js';
export type * from './domain/records.js';
export { DEFAULT_PRIVACY, TOKENS_FROM_CONTENT } from './domain/records.js';
export type * from './domain/views.js';
export { type ChatEngine, type ChatEngineOptions, createChatEngine } from './engine.js';
export {
  ChatError,
  type ChatErrorBody,
  type ChatErrorOptions,
  ERROR_STATUS,
  type ErrorCode,
  invalidCursorError,
  isChatError,
  rateLimitedError,
  toChatError,
} from './errors.js';
export {
  type Audience,
  CHAT_EVENT_NAMES,
  type ChatEventListeners,
  type ChatEventMap,
  type ChatEventName,
  type ChatEvents,
  type ControlEventListeners,
  type ControlEventMap,
  type ControlEvents,
  createEventBuses,
  type ServerToClientEvents,
} from './events.js';
export type * from './groups/group-service.js';
export type * from './identity/auth-service.js';
export { SESSION_TOUCH_INTERVAL_MS, type SessionService } from './identity/session-service.js';
export type * from './identity/user-service.js';
export {
  createDeliveryWorker,
  type DeliveryHandler,
  type DeliveryResult,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  retryDelayMs,
} from './integrations/delivery-worker.js';
export type {
  BeforeSendInput,
  BeforeSendResult,
  ChatHooks,
  CommittedEvent,
} from './integrations/hooks.js';
export type { Integrations } from './integrations/integrations.js';
export { type PushNotificationPayload, previewOf } from './integrations/push-notifications.js';
export {
  MAX_PUSH_SUBSCRIPTIONS,
  type PushConfigView,
  type PushService,
  pushSubscriptionSchema,
} from './integrations/push-service.js';
export {
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
} from './integrations/webhook-signature.js';
export type * from './invites/invite-service.js';
export { devMailer } from './mail/dev-mailer.js';
export { type MemoryMailer, memoryMailer } from './mail/memory-mailer.js';
export { type SmtpMailerOptions, smtpMailer } from './mail/smtp-mailer.js';
export {
  groupConversationId,
  parseConversationId,
  privateConversationId,
} from './messaging/conversation-ids.js';
export type * from './messaging/conversation-service.js';
export type * from './messaging/message-change-service.js';
export type * from './messaging/message-service.js';
export { indexTokens, queryTokens } from './messaging/search-tokens.js';
export { type Clock, systemClock } from './ports/clock.js';
export { type IdGenerator, objectIdGenerator } from './ports/ids.js';
export { type Logger, silentLogger } from './ports/logger.js';
export type { Mailer, MailMessage } from './ports/mailer.js';
export { memoryPresence, type PresenceStore } from './ports/presence.js';
export type { PushOptions, PushOutcome, PushSender, PushTarget } from './ports/push-sender.js';
export {
  type FlexibleLimiterOptions,
  flexibleRateLimiter,
  memoryRateLimiter,
  type RateDecision,
  type RateLimiter,
  type RateRule,
} from './ports/rate-limiter.js';
export type * from './ports/store.js';
export type * from './presence/presence-service.js';
export type * from './social/blacklist-service.js';
export type * from './social/friend-service.js';
export { memoryStore } from './store/memory/index.js';
