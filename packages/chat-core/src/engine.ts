/**
 * `createChatEngine`: wires the ports into the domain services. The engine is framework-agnostic:
 * hosts call its services and route its events; nothing here knows about HTTP or sockets.
 */
import { type ChatConfig, type ChatConfigInput, parseConfig } from './config.js';
import type { EngineContext } from './context.js';
import { createDispatcher, type Dispatcher } from './dispatch/dispatcher.js';
import { createEventBudget } from './dispatch/event-budget.js';
import { type ChatEvents, type ControlEvents, createEventBuses } from './events.js';
import { createGroupService, type GroupService } from './groups/group-service.js';
import { type AuthService, createAuthService } from './identity/auth-service.js';
import { createSessionService, type SessionService } from './identity/session-service.js';
import { createUserService, type UserService } from './identity/user-service.js';
import type { ChatHooks } from './integrations/hooks.js';
import { createIntegrations, type Integrations } from './integrations/integrations.js';
import { createPushService, type PushService } from './integrations/push-service.js';
import { createInviteService, type InviteService } from './invites/invite-service.js';
import { devMailer } from './mail/dev-mailer.js';
import { type ConversationService, createConversationService } from './messaging/conversation-service.js';
import { createMessageService, type MessageService } from './messaging/message-service.js';
import { type Clock, systemClock } from './ports/clock.js';
import { type IdGenerator, objectIdGenerator } from './ports/ids.js';
import { type Logger, silentLogger } from './ports/logger.js';
import type { Mailer } from './ports/mailer.js';
import { memoryPresence, type PresenceStore } from './ports/presence.js';
import type { PushSender } from './ports/push-sender.js';
import { memoryRateLimiter, type RateLimiter } from './ports/rate-limiter.js';
import type { ChatStore } from './ports/store.js';
import { createPresenceService, type PresenceService } from './presence/presence-service.js';
import { type BlacklistService, createBlacklistService } from './social/blacklist-service.js';
import { createFriendService, type FriendService } from './social/friend-service.js';
import { memoryStore } from './store/memory/index.js';

type UntypedEmitter = { listeners(name: string): ((...args: unknown[]) => unknown)[] };

/**
 * Calls every listener of an event on its own, so that one that throws (an app's handler, say)
 * is logged and cannot keep the others (the transport) from hearing the event.
 */
function dispatch(
  emitter: UntypedEmitter,
  name: string,
  args: unknown[],
  logger: Logger,
  what: string,
): void {
  for (const listener of emitter.listeners(name)) {
    try {
      listener(...args);
    } catch (error) {
      logger.error({ err: error, event: name }, what);
    }
  }
}

/** Options of {@link createChatEngine}. */
export interface ChatEngineOptions {
  /** Configuration; `jwtSecret` is required, everything else has a default. */
  config: ChatConfigInput;
  /** Where data is kept. @default memoryStore() — nothing survives a restart */
  store?: ChatStore;
  /** How verification and reset emails leave. @default devMailer(logger) — logs code and link */
  mailer?: Mailer;
  /** Who is online. @default memoryPresence() — right for a single node */
  presence?: PresenceStore;
  /** Budgets: each user's events, logins, mails. @default memoryRateLimiter() (one process) */
  rateLimiter?: RateLimiter;
  /** @default systemClock */
  clock?: Clock;
  /** @default objectIdGenerator() */
  ids?: IdGenerator;
  /** A pino-compatible logger. @default silentLogger */
  logger?: Logger;
  /** In-process hooks: refuse or rewrite messages before they are stored, hear committed events. */
  hooks?: ChatHooks;
  /**
   * Sends Web Push notifications to users with no connected socket. Without it nothing is pushed
   * (subscriptions are still kept). The host builds one from `VAPID_*` with `web-push`.
   */
  pushSender?: PushSender;
  /** The HTTP client of webhooks. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A running chat engine: its services, its events, and its lifecycle. */
export interface ChatEngine {
  readonly config: ChatConfig;
  readonly store: ChatStore;
  readonly auth: AuthService;
  readonly users: UserService;
  readonly friends: FriendService;
  readonly blacklist: BlacklistService;
  readonly messages: MessageService;
  readonly conversations: ConversationService;
  readonly groups: GroupService;
  readonly invites: InviteService;
  readonly presence: PresenceService;
  /** Signed-in devices: list and end them. */
  readonly sessions: SessionService;
  /** Web Push subscriptions and the VAPID key browsers subscribe with. */
  readonly push: PushService;
  /** Webhooks, push and after-commit hooks; `integrations.worker` delivers the outbox. */
  readonly integrations: Integrations;
  /** Runs client events (a transport's frames, REST sends) under each user's event budget. */
  readonly dispatcher: Dispatcher;
  /** The engine's rate limiter, so transports can share its budgets (and its Redis, when there is one). */
  readonly rateLimiter: RateLimiter;
  /** Client events with their audience: `events.on('new_private_message', (message, audience) => …)`. */
  readonly events: ChatEvents;
  /** Events a transport acts on but never forwards (revoked sessions, room changes). */
  readonly control: ControlEvents;
  /** Whether the store answers: drives `/health`. */
  health(): Promise<{ store: 'up' | 'down' }>;
  /** Stops timers and closes the store and mailer. Safe to call twice. */
  close(): Promise<void>;
}

/** Creates an engine. Throws `VALIDATION_FAILED` naming every bad config setting. */
export function createChatEngine(options: ChatEngineOptions): ChatEngine {
  const config = parseConfig(options.config);
  const logger = options.logger ?? silentLogger;
  const store = options.store ?? memoryStore();
  const { events, control } = createEventBuses();
  const hooks = options.hooks ?? {};
  // Built right after the context, which it needs; emit only runs once services exist.
  let integrations: Integrations | null = null;

  const ctx: EngineContext = {
    store,
    presence: options.presence ?? memoryPresence(),
    rateLimiter: options.rateLimiter ?? memoryRateLimiter(),
    mailer: options.mailer ?? devMailer(logger),
    config,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? objectIdGenerator(),
    logger,
    events,
    control,
    hooks,
    get integrations(): Integrations {
      if (integrations === null) throw new Error('integrations are not built yet');
      return integrations;
    },
    // eventemitter3's typed API cannot follow a generic key; the event maps guarantee the pairing.
    emit(name, payload, audience) {
      dispatch(
        events as unknown as UntypedEmitter,
        name,
        [payload, audience],
        logger,
        'event listener failed',
      );
      integrations?.capture(name, payload);
    },
    signal(name, payload) {
      dispatch(control as unknown as UntypedEmitter, name, [payload], logger, 'control listener failed');
    },
  };

  integrations = createIntegrations(ctx, {
    hooks,
    pushSender: options.pushSender,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const sessions = createSessionService(ctx);
  const auth = createAuthService(ctx, sessions);
  const presence = createPresenceService(ctx);
  const users = createUserService(ctx, (user, before) => presence.privacyChanged(user, before));
  const push = createPushService(ctx, options.pushSender);
  const friends = createFriendService(ctx);
  const blacklist = createBlacklistService(ctx);
  const messages = createMessageService(ctx);
  const conversations = createConversationService(ctx);
  const groups = createGroupService(ctx);
  const invites = createInviteService(ctx, { friends, groups });
  const budget = createEventBudget(ctx.rateLimiter, config, logger);
  const built = integrations;
  const dispatcher = createDispatcher({
    messages,
    groups,
    presence,
    budget,
    logger,
    settled: () => built.settled(),
  });

  let closed: Promise<void> | null = null;
  return {
    config,
    store,
    auth,
    users,
    friends,
    blacklist,
    messages,
    conversations,
    groups,
    invites,
    presence,
    sessions,
    push,
    integrations: built,
    dispatcher,
    rateLimiter: ctx.rateLimiter,
    events,
    control,
    async health() {
      try {
        await store.ping();
        return { store: 'up' };
      } catch {
        return { store: 'down' };
      }
    },
    close() {
      closed ??= (async () => {
        presence.close();
        events.removeAllListeners();
        control.removeAllListeners();
        // Pending outbox writes land before the store closes; the worker stops first.
        await built.close();
        await Promise.allSettled([store.close(), ctx.mailer.close?.()]);
      })();
      return closed;
    },
  };
}
