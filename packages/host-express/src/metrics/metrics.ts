/**
 * Parley's Prometheus metrics, all in one place: their definitions and how each is fed. Every
 * host has its own prom-client Registry (never the global one), so two hosts in one process keep
 * their figures apart. Fed by the engine's events, the transport's `onEvent` hook, an HTTP
 * middleware, and thin wrappers around the rate limiter and the store.
 */
import { createServer, type Server } from 'node:http';
import { type ChatEngine, type ChatStore, type RateLimiter, toChatError } from '@parley/chat-core';
import type { ParleyServer } from '@parley/transport-socketio';
import type { Request, RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds: from a fast in-memory ack to a slow store. */
const EVENT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of requests no route matched (404s, static files): raw paths never become labels. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** A host's metrics. */
export interface HostMetrics {
  readonly registry: Registry;
  /** Times every HTTP request by its route pattern and status. Mount it first. */
  readonly http: RequestHandler;
  /** Serves the registry in Prometheus text format. */
  readonly handler: RequestHandler;
  /** The transport's hook: one client event answered after `durationMs`, `outcome` 'ok' or an error code. */
  onEvent(event: string, durationMs: number, outcome: string): void;
  /** Counts refusals of the limiter by scope (the key's prefix); otherwise the limiter as it is. */
  rateLimiter(limiter: RateLimiter): RateLimiter;
  /** Counts what the store throws by kind; otherwise the store as it is. */
  store(store: ChatStore): ChatStore;
  /** Follows the engine's events and the server's connections; returns the unsubscribe. */
  watch(engine: ChatEngine, io: ParleyServer): () => void;
}

/** The scope label of a rate-limit key: `events:<user>` → events, `host:ip:login:<ip>` → ip_login. */
export function rateScope(key: string): string {
  const parts = key.split(':');
  if (parts[0] === 'host' && parts[1] === 'ip') return `ip_${parts[2] ?? 'unknown'}`;
  return parts[0] || 'unknown';
}

/** The kind label of a store failure. */
export function storeErrorKind(error: unknown): string {
  const chatError = toChatError(error);
  if (chatError.code === 'STORE_UNAVAILABLE') return 'unavailable';
  if (chatError.status === 409) return 'conflict';
  if (chatError.code === 'INTERNAL') return 'internal';
  return 'refused';
}

const STORE_AREAS = [
  'users',
  'authTokens',
  'social',
  'messages',
  'groups',
  'sessions',
  'pushSubscriptions',
  'outbox',
] as const;

/** Creates the metrics of one host, in a registry of their own. */
export function createHostMetrics(): HostMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // Read when scraped: nothing to keep in step on the connection path.
  let openConnections: () => number = () => 0;
  new Gauge({
    name: 'parley_connections',
    help: 'Socket.IO connections open on this node',
    registers: [registry],
    collect() {
      this.set(openConnections());
    },
  });
  // Webhooks and pushes waiting in the shared outbox: the same figure on every node of a cluster.
  let pendingDeliveries: () => Promise<number> = async () => 0;
  new Gauge({
    name: 'parley_outbox_pending',
    help: 'Webhook and push deliveries waiting in the outbox (not yet delivered, not given up)',
    registers: [registry],
    async collect() {
      try {
        this.set(await pendingDeliveries());
      } catch {
        // The store is down: its errors are counted elsewhere; the gauge keeps its last value.
      }
    },
  });
  const messages = new Counter({
    name: 'parley_messages_total',
    help: 'Messages sent, by conversation type (system messages of groups included)',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'parley_deliveries_total',
    help: 'Private messages a receiver device acknowledged (message_delivered sent)',
    registers: [registry],
  });
  const eventDuration = new Histogram({
    name: 'parley_event_duration_seconds',
    help: 'Client socket events from receipt to ack, by event and outcome (ok or the error code)',
    labelNames: ['event', 'outcome'] as const,
    buckets: EVENT_BUCKETS,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP requests by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'parley_rate_limited_total',
    help: 'Requests and events refused by a rate limit, by scope',
    labelNames: ['scope'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'parley_store_errors_total',
    help: 'Store calls that failed, by kind (unavailable, conflict, internal, refused)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const type of ['private', 'group']) messages.inc({ type }, 0);
  deliveries.inc(0);

  const eventChildren = new Map<string, ReturnType<typeof eventDuration.labels>>();

  const http: RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      httpDuration.observe(
        { method: req.method, route: routeOf(req), status: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    next();
  };

  const handler: RequestHandler = async (_req, res) => {
    const text = await registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(text);
  };

  const countStoreError = (error: unknown): never => {
    storeErrors.inc({ kind: storeErrorKind(error) });
    throw error;
  };
  // One plain object per area whose methods call the area's current method (a store may swap
  // them) and count a rejection: one extra promise per store call, no Proxy on the hot path.
  const wrapCalls = <T extends object>(target: T): T => {
    const counted = Object.create(target) as Record<PropertyKey, unknown>;
    const source = target as Record<PropertyKey, unknown>;
    for (const key of methodNames(target)) {
      counted[key] = (...args: unknown[]) => {
        const result = (source[key] as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? result.catch(countStoreError) : result;
      };
    }
    return counted as T;
  };

  return {
    registry,
    http,
    handler,
    onEvent(event, durationMs, outcome) {
      const key = `${event}\u0000${outcome}`;
      let child = eventChildren.get(key);
      if (child === undefined) {
        child = eventDuration.labels({ event, outcome });
        eventChildren.set(key, child);
      }
      child.observe(durationMs / 1000);
    },
    rateLimiter(limiter) {
      return {
        async consume(key, rule) {
          const decision = await limiter.consume(key, rule);
          if (!decision.allowed) rateLimited.inc({ scope: rateScope(key) });
          return decision;
        },
        reset: (key) => limiter.reset(key),
      };
    },
    store(store) {
      const areas = new Map<PropertyKey, unknown>(STORE_AREAS.map((area) => [area, wrapCalls(store[area])]));
      return new Proxy(store, {
        get(object, key, receiver) {
          if (areas.has(key)) return areas.get(key);
          if (key === 'ping') return areas.get('ping') ?? wrapPing(object);
          return Reflect.get(object, key, receiver);
        },
      });
      function wrapPing(object: ChatStore) {
        const ping = async () => {
          try {
            await object.ping();
          } catch (error) {
            storeErrors.inc({ kind: storeErrorKind(error) });
            throw error;
          }
        };
        areas.set('ping', ping);
        return ping;
      }
    },
    watch(engine, io) {
      pendingDeliveries = () => engine.store.outbox.countPending();
      const privateMessages = messages.labels({ type: 'private' });
      const groupMessages = messages.labels({ type: 'group' });
      const onPrivate = () => privateMessages.inc();
      const onGroup = () => groupMessages.inc();
      const onDelivered = () => deliveries.inc();
      engine.events.on('new_private_message', onPrivate);
      engine.events.on('new_group_message', onGroup);
      engine.events.on('message_delivered', onDelivered);
      openConnections = () => io.of('/').sockets.size;
      return () => {
        engine.events.off('new_private_message', onPrivate);
        engine.events.off('new_group_message', onGroup);
        engine.events.off('message_delivered', onDelivered);
        openConnections = () => 0;
      };
    },
  };
}

/** Every method name of an object, its prototypes' included (class-based adapters). */
function methodNames(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, key);
      if (descriptor && typeof descriptor.value === 'function') names.add(key);
    }
  }
  return [...names];
}

/** The route pattern that answered, e.g. `/api/groups/:id`; never the raw path. */
function routeOf(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return UNMATCHED_ROUTE;
}

/**
 * A listener of its own for `GET /metrics` (METRICS_PORT), so the metrics can stay on a port the
 * public never reaches. Answers 404 to anything else. Not listening yet.
 */
export function serveMetrics(metrics: HostMetrics): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics failed\n');
      },
    );
  });
}
