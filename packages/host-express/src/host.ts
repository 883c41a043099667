/**
 * `createHost`: Parley as a server. An Express app serving the REST routes of the contract and a
 * Socket.IO server carrying its events, both thin layers over one chat engine.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ChatEngine,
  type ChatHooks,
  type ChatStore,
  createChatEngine,
  devMailer,
  type Mailer,
  memoryRateLimiter,
  type PresenceStore,
  type PushSender,
  type RateLimiter,
  smtpMailer,
} from '@parley/chat-core';
import { attachSocketIO, type ParleyServer, socketServerOptions } from '@parley/transport-socketio';
import cors, { type CorsOptions } from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { Server, type ServerOptions } from 'socket.io';
import { metricsRoute, restRoutes } from './api-docs/routes.js';
import { apiDocRoutes, apiDocuments } from './api-docs/serve.js';
import { clusterFor } from './cluster.js';
import { type HostConfig, type HostConfigInput, hostConfig, loadEnv, type MailConfig } from './env.js';
import { requireAuth } from './http/auth.js';
import { answerClientErrors } from './http/client-errors.js';
import { errorHandler, notFound } from './http/errors.js';
import { noStore } from './http/no-store.js';
import { perIpLimit } from './http/rate-limit.js';
import { requestLogger } from './http/request-log.js';
import { scalarQuery } from './http/scalar-query.js';
import { webAppRouteDocs, webAppRoutes } from './http/web-app.js';
import { createLogger } from './logger.js';
import { createHostMetrics, type HostMetrics, serveMetrics } from './metrics/metrics.js';
import { webPushSender } from './push/web-push-sender.js';
import { authRoutes } from './routes/auth.js';
import { blacklistRoutes } from './routes/blacklist.js';
import { conversationRoutes } from './routes/conversations.js';
import type { RouteDeps } from './routes/deps.js';
import { friendRoutes } from './routes/friends.js';
import { groupRoutes } from './routes/groups.js';
import { healthRoutes } from './routes/health.js';
import { inviteRoutes } from './routes/invites.js';
import { messageChangeRoutes } from './routes/message-changes.js';
import { messageRoutes } from './routes/messages.js';
import { pinRoutes } from './routes/pins.js';
import { userRoutes } from './routes/users.js';
import { storeFor } from './store.js';

/** Options of {@link createHost}. */
export interface HostOptions {
  /** The configuration: a full {@link HostConfig} (from `loadEnv`) or any part of one. @default loadEnv(process.env) */
  config?: HostConfig | HostConfigInput;
  /**
   * An engine built by the caller. It is used as is (store, mailer and config included) and left
   * open by `close()`: its owner closes it. @default an engine built from `config`
   */
  engine?: ChatEngine;
  /** Where data is kept, when the host builds the engine. @default by the configuration, see `storeFor` in store.ts: PostgreSQL (DATABASE_URL), MongoDB (MONGODB_URI), memory (STORE=memory), else SQLite in DATA_DIR */
  store?: ChatStore;
  /** How emails leave, when the host builds the engine. @default smtpMailer when SMTP is configured, else devMailer(logger) */
  mailer?: Mailer;
  /** @default a pino logger at `config.logLevel` */
  logger?: Logger;
  /** Shared by the engine (per-email budgets), the account routes (per-IP) and the sockets. @default memoryRateLimiter() */
  rateLimiter?: RateLimiter;
  /** Who is online, when the host builds the engine. @default Redis presence with REDIS_URL, else memoryPresence() */
  presence?: PresenceStore;
  /**
   * The Socket.IO adapter (any: Redis Streams, Redis, Postgres, MongoDB, or one's own), used by the
   * transport however it routes. @default the Redis Streams adapter with REDIS_URL, else Socket.IO's own
   */
  adapter?: ServerOptions['adapter'];
  /**
   * Sends Web Push notifications, when the host builds the engine. @default webPushSender from
   * `config.push` (VAPID_*), else none: subscriptions are kept but nothing is pushed
   */
  pushSender?: PushSender;
  /** In-process hooks of the engine the host builds (before-send filter, after-commit). */
  hooks?: ChatHooks;
}

/** A running (or ready to run) Parley server. */
export interface Host {
  readonly app: Express;
  readonly httpServer: HttpServer;
  readonly io: ParleyServer;
  readonly engine: ChatEngine;
  readonly config: HostConfig;
  readonly logger: Logger;
  /** The host's Prometheus metrics (its own registry), when METRICS or METRICS_PORT turned them on. */
  readonly metrics: HostMetrics | null;
  /** Starts listening. @default port and host of the config; port 0 picks a free port */
  listen(port?: number, host?: string): Promise<{ port: number; url: string; metricsPort?: number }>;
  /**
   * Stops accepting connections, disconnects every socket, closes the engine (and with it the
   * store and mailer) when the host built it, and flushes the logs. Safe to call twice.
   */
  close(): Promise<void>;
}

function isFullConfig(config: HostConfig | HostConfigInput): config is HostConfig {
  return Array.isArray((config as HostConfig).warnings) && typeof config.chat?.jwtSecret === 'string';
}

function mailerFor(mail: MailConfig, publicUrl: string | undefined, logger: Logger): Mailer {
  if (mail.kind === 'dev') return devMailer(logger);
  const domain = publicUrl ? new URL(publicUrl).hostname : 'localhost';
  if (mail.kind === 'smtp-url') {
    return smtpMailer({ url: mail.url, from: mail.from ?? `Parley <no-reply@${domain}>` });
  }
  return smtpMailer({
    service: mail.service,
    user: mail.user,
    pass: mail.pass,
    from: mail.from ?? mail.user,
  });
}

function corsOptions(origins: HostConfig['corsOrigins']): CorsOptions {
  // Bearer tokens, not cookies: no credentials, so '*' is safe outside production.
  return { origin: origins === '*' ? '*' : origins.length === 0 ? false : [...origins] };
}

/** The store and engine config of an engine the host builds: the given store, else the configured one. */
async function engineStore(
  given: ChatStore | undefined,
  config: HostConfig,
  logger: Logger,
): Promise<{ store: ChatStore; config: HostConfig['chat'] }> {
  if (given) return { store: given, config: config.chat };
  const chosen = await storeFor(config, logger);
  return {
    store: chosen.store,
    config: chosen.jwtSecret === null ? config.chat : { ...config.chat, jwtSecret: chosen.jwtSecret },
  };
}

/** The store of an engine the host builds, with its failures counted when metrics are on. */
function withCountedStore<T extends { store: ChatStore }>(chosen: T, metrics: HostMetrics | null): T {
  return metrics ? { ...chosen, store: metrics.store(chosen.store) } : chosen;
}

/** Builds the server: Express app, HTTP server, Socket.IO and (unless given) the engine. Does not listen. */
export async function createHost(options: HostOptions = {}): Promise<Host> {
  const config = options.config
    ? isFullConfig(options.config)
      ? options.config
      : hostConfig(options.config)
    : loadEnv(process.env);
  const logger = options.logger ?? createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);

  // Cluster mode (REDIS_URL) fills in what the caller did not give: see cluster.ts.
  const cluster = await clusterFor(config, logger);
  const rateLimiter =
    options.rateLimiter ?? options.engine?.rateLimiter ?? cluster?.rateLimiter ?? memoryRateLimiter();
  const presence = options.presence ?? cluster?.presence;
  const metrics = config.metrics || typeof config.metricsPort === 'number' ? createHostMetrics() : null;
  const countedLimiter = metrics ? metrics.rateLimiter(rateLimiter) : rateLimiter;
  const ownsEngine = options.engine === undefined;
  const pushSender = options.pushSender ?? (config.push ? webPushSender(config.push) : undefined);
  const engine =
    options.engine ??
    createChatEngine({
      ...withCountedStore(await engineStore(options.store, config, logger), metrics),
      mailer: options.mailer ?? mailerFor(config.mail, config.chat.publicUrl, logger),
      rateLimiter: countedLimiter,
      ...(presence !== undefined && { presence }),
      ...(pushSender !== undefined && { pushSender }),
      ...(options.hooks !== undefined && { hooks: options.hooks }),
      logger,
    });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('json spaces', 0);
  if (metrics) app.use(metrics.http);
  app.use(requestLogger(logger));
  app.use(helmet());
  app.use(cors(corsOptions(config.corsOrigins)));
  app.use(express.json({ limit: config.bodyLimit }));
  app.use('/api', noStore, scalarQuery);

  const deps: RouteDeps = {
    engine,
    auth: requireAuth(engine),
    limit: (scope) => perIpLimit(countedLimiter, config.authRateLimit, scope),
  };
  // Express 5 passes a rejected promise from any handler or middleware to the error handler, so
  // the routes are plain async functions with no wrapper.
  const startedAt = Date.now();
  app.use(healthRoutes(engine, startedAt, cluster?.redisStatus));
  app.use(authRoutes(deps));
  app.use(userRoutes(deps));
  app.use(inviteRoutes(deps));
  app.use(friendRoutes(deps));
  app.use(blacklistRoutes(deps));
  app.use(conversationRoutes(deps));
  app.use(messageChangeRoutes(deps));
  app.use(messageRoutes(deps));
  app.use(pinRoutes(deps));
  app.use(groupRoutes(deps));
  // On the main port only with METRICS=true and no METRICS_PORT (which gets its own listener).
  const metricsOnMain = metrics !== null && typeof config.metricsPort !== 'number';
  if (metrics && metricsOnMain) app.get('/metrics', metrics.handler);
  // Parley Web at / and /invite/:token (WEB_APP=false: API only).
  const webApp = config.webApp !== false;
  const extraDocs = [...(metricsOnMain ? [metricsRoute] : []), ...(webApp ? webAppRouteDocs : [])];
  app.use(apiDocRoutes(apiDocuments(() => restRoutes(engine.config, extraDocs))));
  if (webApp) app.use(webAppRoutes());
  app.use(notFound);
  app.use(errorHandler(logger));

  const httpServer = createServer(app);
  answerClientErrors(httpServer);
  const io: ParleyServer = new Server(httpServer, {
    ...socketServerOptions({ origins: config.corsOrigins, recovery: config.socketRecovery }),
    ...((options.adapter ?? cluster?.adapter) !== undefined && {
      adapter: options.adapter ?? cluster?.adapter,
    }),
  });
  const transport = attachSocketIO(io, engine, { logger, ...(metrics && { onEvent: metrics.onEvent }) });
  const unwatch = metrics?.watch(engine, io);
  const metricsServer = metrics && !metricsOnMain ? serveMetrics(metrics) : null;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => {
        if (!httpServer.listening) resolve();
        else httpServer.close(() => resolve());
      });
      await transport.close();
      unwatch?.();
      if (metricsServer?.listening)
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      // io.close() disconnects every socket (and closes the HTTP server it is attached to).
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      httpServer.closeIdleConnections();
      const force = setTimeout(() => httpServer.closeAllConnections(), 2000);
      force.unref();
      await serverClosed;
      clearTimeout(force);
      if (ownsEngine) await engine.close();
      await cluster?.close();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    })();
    return closing;
  };

  return {
    app,
    httpServer,
    io,
    engine,
    config,
    logger,
    metrics,
    async listen(port = config.port, host = config.host) {
      const main = await new Promise<{ port: number; url: string }>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        httpServer.once('error', onError);
        httpServer.listen(port, host, () => {
          httpServer.off('error', onError);
          const address = httpServer.address() as AddressInfo;
          const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
          resolve({ port: address.port, url });
        });
      });
      if (metricsServer === null || typeof config.metricsPort !== 'number') return main;
      const metricsPort = config.metricsPort;
      return new Promise((resolve, reject) => {
        metricsServer.once('error', reject);
        metricsServer.listen(metricsPort, host, () => {
          metricsServer.off('error', reject);
          resolve({ ...main, metricsPort: (metricsServer.address() as AddressInfo).port });
        });
      });
    },
    close,
  };
}
