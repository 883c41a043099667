/**
 * What every service of one engine shares: the ports, the validated config and the event buses.
 * Built once by `createChatEngine`; services receive it and never reach for globals.
 */
import type { ChatConfig } from './config.js';
import type {
  Audience,
  ChatEventMap,
  ChatEventName,
  ChatEvents,
  ControlEventMap,
  ControlEvents,
} from './events.js';
import type { ChatHooks } from './integrations/hooks.js';
import type { Integrations } from './integrations/integrations.js';
import type { Clock } from './ports/clock.js';
import type { IdGenerator } from './ports/ids.js';
import type { Logger } from './ports/logger.js';
import type { Mailer } from './ports/mailer.js';
import type { PresenceStore } from './ports/presence.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import type { ChatStore } from './ports/store.js';

/** Where a call comes from; lets the engine leave the caller's own connection out of an echo. */
export interface Origin {
  /** The transport's id of the calling connection (a Socket.IO socket id). */
  connectionId?: string | undefined;
  /** The caller's IP address, for rate limits. */
  ip?: string | undefined;
  /** The caller's `User-Agent`, shown in their session list. */
  userAgent?: string | undefined;
  /**
   * The caller's address as their session list may show it: set only when the host can tell the
   * real client address (behind a proxy, only with `TRUST_PROXY`).
   */
  sessionIp?: string | undefined;
}

/** The shared context of one engine's services. */
export interface EngineContext {
  readonly store: ChatStore;
  readonly presence: PresenceStore;
  readonly rateLimiter: RateLimiter;
  readonly mailer: Mailer;
  readonly config: ChatConfig;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly events: ChatEvents;
  readonly control: ControlEvents;
  /** The embedder's in-process hooks (empty when none). */
  readonly hooks: ChatHooks;
  /** After-commit hooks, webhooks and push: where committed events leave the process. */
  readonly integrations: Integrations;
  /** Emits a client event to its audience; a listener that throws is logged, never propagated. */
  emit<K extends ChatEventName>(name: K, payload: ChatEventMap[K], audience: Audience): void;
  /** Emits a control event for the transport. */
  signal<K extends keyof ControlEventMap>(name: K, payload: ControlEventMap[K]): void;
}
