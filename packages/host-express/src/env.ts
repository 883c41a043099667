/**
 * The host's configuration: read from the environment (`loadEnv`) or given in code (`hostConfig`),
 * validated in one place. A bad setting fails with a message that names every bad variable.
 */
import { randomBytes } from 'node:crypto';
import { type ChatConfigInput, chatConfigSchema, type RateRule } from '@parley/chat-core';
import { z } from 'zod';

/** How emails leave the server. */
export type MailConfig =
  | { kind: 'smtp-url'; url: string; from?: string | undefined }
  | { kind: 'smtp-service'; service: string; user: string; pass: string; from?: string | undefined }
  | { kind: 'dev' };

/** The validated configuration of a host, every default filled in. */
export interface HostConfig {
  /** @default 3000 */
  port: number;
  /** @default '0.0.0.0' */
  host: string;
  /** @default 'development' */
  nodeEnv: 'development' | 'production' | 'test';
  /** MongoDB connection string (`MONGODB_URI`): MongoDB is the store. @default null */
  mongodbUri: string | null;
  /** PostgreSQL connection string (`DATABASE_URL`): PostgreSQL is the store. @default null */
  databaseUrl: string | null;
  /** Connections in the PostgreSQL pool (`DATABASE_POOL_SIZE`). @default 10 (the adapter's) */
  databasePoolSize?: number | undefined;
  /** Where SQLite keeps `parley.db` and the generated development JWT secret is kept (`DATA_DIR`). @default './data' */
  dataDir: string;
  /** `'memory'` keeps everything in memory (`STORE=memory`); `'auto'` chooses PostgreSQL, MongoDB or SQLite as above. @default 'auto' */
  store: 'auto' | 'memory';
  /** True when no JWT secret was configured, so `chat.jwtSecret` is a random one (the host keeps one in `dataDir` instead). */
  generatedJwtSecret: boolean;
  /** @default { kind: 'dev' } — emails are written to the log */
  mail: MailConfig;
  /** Origins allowed by CORS (REST and Socket.IO); `'*'` allows any (refused in production). @default '*' outside production, none in production */
  corsOrigins: '*' | string[];
  /** Express `trust proxy`: false, true, a hop count or a list of addresses. @default false */
  trustProxy: boolean | number | string;
  /** Largest JSON body. @default '100kb' */
  bodyLimit: string;
  /** pino level. @default 'info' ('silent' when NODE_ENV=test) */
  logLevel: string;
  /** Budget per IP of each account route (register, login, verify, resend, forgot, reset). @default { points: 30, windowMs: 900000 } */
  authRateLimit: RateRule;
  /** Socket.IO connection state recovery (`SOCKET_RECOVERY`); resuming by seq works either way. @default false */
  socketRecovery: boolean;
  /** Serve Prometheus metrics at `GET /metrics` on the main port (`METRICS=true`). @default false */
  metrics?: boolean | undefined;
  /** Serve `GET /metrics` on a listener of its own on this port instead (`METRICS_PORT`), bound to `host`. @default null */
  metricsPort?: number | null | undefined;
  /** Redis (`REDIS_URL`): cluster mode, see cluster.ts and docs/SCALING.md. @default null (one node) */
  redisUrl?: string | null | undefined;
  /** Prefix of every Redis key and stream of this deployment (`REDIS_KEY_PREFIX`). @default 'parley:' */
  redisKeyPrefix?: string | undefined;
  /** Serve Parley Web (apps/web) at `/` and `/invite/:token` (`WEB_APP`). @default true */
  webApp?: boolean | undefined;
  /**
   * Web Push with VAPID (`VAPID_PUBLIC_KEY`, `VAPID_PRIVATE_KEY`, `VAPID_SUBJECT`): offline users'
   * browsers are notified of messages. `pnpm vapid-keys` prints a fresh pair. @default null (off)
   */
  push?: PushConfig | null | undefined;
  /** The engine's configuration (jwtSecret included). */
  chat: ChatConfigInput & { jwtSecret: string };
  /** Things worth a warning at start-up (e.g. a generated JWT secret). */
  warnings: string[];
}

/** VAPID credentials of Web Push (RFC 8292). */
export interface PushConfig {
  /** Uncompressed P-256 public key, base64url (65 bytes): what browsers subscribe with. */
  publicKey: string;
  /** The matching private key, base64url (32 bytes). */
  privateKey: string;
  /** `mailto:` or `https:` contact the push services may reach the operator at. */
  subject: string;
}

/** What `createHost({ config })` accepts: any part of {@link HostConfig}; the rest gets defaults. */
export type HostConfigInput = Partial<Omit<HostConfig, 'chat' | 'warnings' | 'generatedJwtSecret'>> & {
  chat?: Partial<ChatConfigInput>;
};

/** Thrown by {@link loadEnv} when settings are bad; `problems` holds one line per bad variable. */
export interface ConfigError extends Error {
  problems: string[];
}

/** True when `value` is a {@link ConfigError}. */
export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof Error && Array.isArray((value as ConfigError).problems);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const text = z.string().trim().min(1);

/** One schema per variable; a blank value counts as unset. */
const envSchema = z.object({
  PORT: int(0, 65535).optional(),
  HOST: text.optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  MONGODB_URI: z
    .string()
    .trim()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: int(1, 1000).optional(),
  DATA_DIR: text.optional(),
  STORE: z.enum(['memory'], 'must be memory (or unset, to choose by DATABASE_URL / MONGODB_URI)').optional(),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  JWT_EXPIRES_IN: z
    .string()
    .trim()
    .regex(/^\d+\s*(ms|s|m|h|d|w|y)?$/, 'must be seconds or a duration like 7d, 12h, 30m')
    .optional(),
  EMAIL_SERVICE: text.optional(),
  EMAIL_USER: text.optional(),
  EMAIL_PASS: z.string().min(1).optional(),
  SMTP_URL: z
    .string()
    .trim()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: text.optional(),
  MESSAGE_ROAMING_DAYS: int(0).optional(),
  CORS_ORIGIN: text.optional(),
  PUBLIC_URL: z.url('must be an absolute URL').optional(),
  /** Set by Render on every web service: the default of PUBLIC_URL there. */
  RENDER_EXTERNAL_URL: z.url('must be an absolute URL').optional(),
  RECALL_WINDOW_SECONDS: int(0).optional(),
  EDIT_WINDOW_SECONDS: int(0).optional(),
  AUTH_REQUIRE_VERIFIED_EMAIL: bool.optional(),
  PRIVATE_MESSAGE_POLICY: z.enum(['friends', 'anyone']).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  BCRYPT_COST: int(4, 15).optional(),
  GROUP_MAX_MEMBERS: int(2, 100_000).optional(),
  GROUP_INVITE_TTL_SECONDS: int(1).optional(),
  MAX_TEXT_LENGTH: int(1, 100_000).optional(),
  PRESENCE_GRACE_MS: int(0).optional(),
  TRUST_PROXY: text.optional(),
  BODY_LIMIT: z
    .string()
    .trim()
    .regex(/^\d+\s*(b|kb|mb)?$/i, 'must be bytes or a size like 100kb, 1mb')
    .optional(),
  AUTH_RATE_LIMIT_POINTS: int(1).optional(),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: int(1).optional(),
  EVENTS_PER_SECOND: int(1, 100_000).optional(),
  EVENT_BURST: int(0, 100_000).optional(),
  EVENT_BURST_WINDOW_SECONDS: int(1, 86_400).optional(),
  /** Before version 2 a per-socket budget; now read as EVENTS_PER_SECOND when that is unset. */
  SOCKET_EVENTS_PER_SECOND: int(1, 100_000).optional(),
  LOGIN_ATTEMPTS: int(1).optional(),
  LOGIN_WINDOW_SECONDS: int(1).optional(),
  MAIL_TO_LOG: bool.optional(),
  SOCKET_RECOVERY: bool.optional(),
  METRICS: bool.optional(),
  METRICS_PORT: int(1, 65535).optional(),
  WEB_APP: bool.optional(),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  WEBHOOK_URL: text.optional(),
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  WEBHOOK_EVENTS: text.optional(),
  VAPID_PUBLIC_KEY: z
    .string()
    .trim()
    .refine((v) => base64urlLength(v) === 65 && Buffer.from(v, 'base64url')[0] === 4, {
      message: 'must be an uncompressed P-256 public key, base64url (pnpm vapid-keys prints a pair)',
    })
    .optional(),
  VAPID_PRIVATE_KEY: z
    .string()
    .trim()
    .refine((v) => base64urlLength(v) === 32, {
      message: 'must be a P-256 private key, base64url (32 bytes)',
    })
    .optional(),
  VAPID_SUBJECT: z
    .string()
    .trim()
    .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: address or an https: URL')
    .optional(),
  PUSH_TTL_SECONDS: int(0, 2_419_200).optional(),
  DELIVERY_LEASE_SECONDS: int(1, 86_400).optional(),
  WEBHOOK_TIMEOUT_SECONDS: int(1, 120).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[\w:.-]{1,64}$/, 'must be 1 to 64 letters, digits, _ : . or -')
    .optional(),
});

type Env = z.output<typeof envSchema>;

/** Bytes a base64url string decodes to, or -1 when it is not base64url. */
function base64urlLength(value: string): number {
  return /^[A-Za-z0-9_-]+=*$/.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

/** A comma-separated list, trimmed, without empty entries. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Engine settings and the variable each comes from, so an engine-level problem names the variable. */
const CHAT_VARIABLES: Record<string, string> = {
  jwtSecret: 'JWT_SECRET',
  jwtExpiresIn: 'JWT_EXPIRES_IN',
  bcryptCost: 'BCRYPT_COST',
  requireVerifiedEmail: 'AUTH_REQUIRE_VERIFIED_EMAIL',
  privateMessagePolicy: 'PRIVATE_MESSAGE_POLICY',
  messageRoamingDays: 'MESSAGE_ROAMING_DAYS',
  recallWindowSeconds: 'RECALL_WINDOW_SECONDS',
  editWindowSeconds: 'EDIT_WINDOW_SECONDS',
  maxTextLength: 'MAX_TEXT_LENGTH',
  publicUrl: 'PUBLIC_URL',
  groupMaxMembers: 'GROUP_MAX_MEMBERS',
  groupInviteTtlSeconds: 'GROUP_INVITE_TTL_SECONDS',
  presenceGraceMs: 'PRESENCE_GRACE_MS',
  eventRateLimit: 'EVENTS_PER_SECOND / EVENT_BURST / EVENT_BURST_WINDOW_SECONDS',
  loginRateLimit: 'LOGIN_ATTEMPTS / LOGIN_WINDOW_SECONDS',
  webhookUrls: 'WEBHOOK_URL',
  webhookSecret: 'WEBHOOK_SECRET',
  webhookEvents: 'WEBHOOK_EVENTS',
  pushTtlSeconds: 'PUSH_TTL_SECONDS',
  deliveryLeaseMs: 'DELIVERY_LEASE_SECONDS',
  webhookTimeoutMs: 'WEBHOOK_TIMEOUT_SECONDS',
};

function configError(problems: string[]): ConfigError {
  const error = new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`) as ConfigError;
  error.name = 'ConfigError';
  error.problems = problems;
  return error;
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function parseCors(value: string | undefined, production: boolean): '*' | string[] {
  if (value === undefined) return production ? [] : '*';
  const list = value
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin.length > 0);
  return list.includes('*') ? '*' : list;
}

function generatedSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads and validates the host's settings from environment variables (see `.env.example` and
 * docs/CONFIGURATION.md). Throws a {@link ConfigError} naming every bad variable.
 */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value;
  }
  const parsed = envSchema.safeParse(raw);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '(env)');
      problems.push(
        `${name}: ${issue.message}${raw[name] === undefined ? '' : ` (got ${JSON.stringify(raw[name])})`}`,
      );
    }
  }
  // Cross-variable checks still run on the variables that parsed, so every problem is listed at once.
  const e: Partial<Env> = parsed.success ? parsed.data : partialParse(raw);
  const nodeEnv = e.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  if (production && !e.JWT_SECRET && !raw.JWT_SECRET)
    problems.push('JWT_SECRET: required when NODE_ENV=production');
  const cors = parseCors(e.CORS_ORIGIN, production);
  if (production && cors === '*') problems.push('CORS_ORIGIN: "*" is not allowed when NODE_ENV=production');
  if (raw.DATABASE_URL !== undefined && raw.MONGODB_URI !== undefined)
    problems.push(
      'DATABASE_URL and MONGODB_URI: both are set; set only one (DATABASE_URL → PostgreSQL, MONGODB_URI → MongoDB)',
    );
  if (raw.STORE !== undefined && (raw.DATABASE_URL !== undefined || raw.MONGODB_URI !== undefined))
    problems.push(
      `STORE: STORE=memory contradicts ${raw.DATABASE_URL !== undefined ? 'DATABASE_URL' : 'MONGODB_URI'}; unset one of them`,
    );

  const emailVars = [e.EMAIL_SERVICE, e.EMAIL_USER, e.EMAIL_PASS];
  const someEmail = emailVars.some((v) => v !== undefined);
  if (someEmail && !emailVars.every((v) => v !== undefined)) {
    for (const [name, value] of [
      ['EMAIL_SERVICE', e.EMAIL_SERVICE],
      ['EMAIL_USER', e.EMAIL_USER],
      ['EMAIL_PASS', e.EMAIL_PASS],
    ] as const) {
      if (value === undefined && raw[name] === undefined) {
        problems.push(`${name}: required when any of EMAIL_SERVICE, EMAIL_USER, EMAIL_PASS is set`);
      }
    }
  }

  // In production an email's code or link would let whoever reads the logs into any account: a
  // real transport is required, unless MAIL_TO_LOG=true says the logs are where emails go.
  const hasMailTransport = raw.SMTP_URL !== undefined || someEmail;
  if (production && !hasMailTransport && e.MAIL_TO_LOG !== true) {
    problems.push(
      'SMTP_URL: required when NODE_ENV=production (or EMAIL_SERVICE, EMAIL_USER and EMAIL_PASS); MAIL_TO_LOG=true writes emails, codes included, to the log instead',
    );
  }

  const warnings: string[] = [];
  if (e.SOCKET_EVENTS_PER_SECOND !== undefined) {
    warnings.push(
      `SOCKET_EVENTS_PER_SECOND is deprecated: budgets are per user now; set EVENTS_PER_SECOND${e.EVENTS_PER_SECOND === undefined ? ' (read from SOCKET_EVENTS_PER_SECOND meanwhile)' : ''}`,
    );
  }
  let jwtSecret = e.JWT_SECRET;
  if (!jwtSecret) {
    jwtSecret = generatedSecret();
    if (!production && raw.JWT_SECRET === undefined) {
      warnings.push(
        e.STORE === 'memory'
          ? 'JWT_SECRET is not set: using a random secret, so every token dies when the server restarts'
          : 'JWT_SECRET is not set: using a generated secret kept in DATA_DIR (development only; set JWT_SECRET in production)',
      );
    }
  }

  if (e.REDIS_URL !== undefined && raw.DATABASE_URL === undefined && raw.MONGODB_URI === undefined) {
    warnings.push(
      'REDIS_URL is set but the store is not shared (SQLite or memory): every node keeps its own data; set DATABASE_URL so the nodes serve one deployment',
    );
  }
  if (e.REDIS_URL !== undefined && raw.JWT_SECRET === undefined) {
    warnings.push(
      'REDIS_URL is set without JWT_SECRET: a token is only accepted by nodes that share DATA_DIR; set one JWT_SECRET on every node',
    );
  }

  const vapid = [
    ['VAPID_PUBLIC_KEY', e.VAPID_PUBLIC_KEY],
    ['VAPID_PRIVATE_KEY', e.VAPID_PRIVATE_KEY],
    ['VAPID_SUBJECT', e.VAPID_SUBJECT],
  ] as const;
  if (vapid.some(([name]) => raw[name] !== undefined)) {
    for (const [name] of vapid) {
      if (raw[name] === undefined) {
        problems.push(
          `${name}: required when any of VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT is set`,
        );
      }
    }
  }
  const push: PushConfig | null =
    e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY && e.VAPID_SUBJECT
      ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT }
      : null;
  const webhookUrls = list(e.WEBHOOK_URL);
  const webhookEvents = e.WEBHOOK_EVENTS === undefined ? undefined : list(e.WEBHOOK_EVENTS);

  const trustProxy = parseTrustProxy(e.TRUST_PROXY);
  if (trustProxy === true) {
    warnings.push(
      'TRUST_PROXY=true trusts every X-Forwarded-For hop, so a client can choose the IP its rate limits count: give the number of proxies (e.g. 1) instead',
    );
  }

  const port = e.PORT ?? 3000;
  const chat: HostConfig['chat'] = {
    jwtSecret,
    ...(e.JWT_EXPIRES_IN !== undefined && { jwtExpiresIn: e.JWT_EXPIRES_IN }),
    ...(e.BCRYPT_COST !== undefined && { bcryptCost: e.BCRYPT_COST }),
    ...(e.AUTH_REQUIRE_VERIFIED_EMAIL !== undefined && {
      requireVerifiedEmail: e.AUTH_REQUIRE_VERIFIED_EMAIL,
    }),
    ...(e.PRIVATE_MESSAGE_POLICY !== undefined && { privateMessagePolicy: e.PRIVATE_MESSAGE_POLICY }),
    ...(e.MESSAGE_ROAMING_DAYS !== undefined && { messageRoamingDays: e.MESSAGE_ROAMING_DAYS }),
    ...(e.RECALL_WINDOW_SECONDS !== undefined && { recallWindowSeconds: e.RECALL_WINDOW_SECONDS }),
    ...(e.EDIT_WINDOW_SECONDS !== undefined && { editWindowSeconds: e.EDIT_WINDOW_SECONDS }),
    ...(e.MAX_TEXT_LENGTH !== undefined && { maxTextLength: e.MAX_TEXT_LENGTH }),
    ...(e.GROUP_MAX_MEMBERS !== undefined && { groupMaxMembers: e.GROUP_MAX_MEMBERS }),
    ...(e.GROUP_INVITE_TTL_SECONDS !== undefined && { groupInviteTtlSeconds: e.GROUP_INVITE_TTL_SECONDS }),
    ...(e.PRESENCE_GRACE_MS !== undefined && { presenceGraceMs: e.PRESENCE_GRACE_MS }),
    eventRateLimit: {
      perSecond: e.EVENTS_PER_SECOND ?? e.SOCKET_EVENTS_PER_SECOND ?? 20,
      burst: e.EVENT_BURST ?? 200,
      burstWindowMs: (e.EVENT_BURST_WINDOW_SECONDS ?? 30) * 1000,
    },
    loginRateLimit: { points: e.LOGIN_ATTEMPTS ?? 10, windowMs: (e.LOGIN_WINDOW_SECONDS ?? 900) * 1000 },
    ...(webhookUrls.length > 0 && { webhookUrls }),
    ...(e.WEBHOOK_SECRET !== undefined && { webhookSecret: e.WEBHOOK_SECRET }),
    ...(webhookEvents !== undefined && { webhookEvents: webhookEvents as never }),
    ...(e.PUSH_TTL_SECONDS !== undefined && { pushTtlSeconds: e.PUSH_TTL_SECONDS }),
    ...(e.DELIVERY_LEASE_SECONDS !== undefined && { deliveryLeaseMs: e.DELIVERY_LEASE_SECONDS * 1000 }),
    ...(e.WEBHOOK_TIMEOUT_SECONDS !== undefined && { webhookTimeoutMs: e.WEBHOOK_TIMEOUT_SECONDS * 1000 }),
    publicUrl: (e.PUBLIC_URL ?? e.RENDER_EXTERNAL_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
  };
  // The engine's own schema has the last word; its problems are reported under their variable names.
  const chatCheck = chatConfigSchema.safeParse(chat);
  if (!chatCheck.success) {
    for (const issue of chatCheck.error.issues) {
      const key = String(issue.path[0] ?? '');
      const name = CHAT_VARIABLES[key] ?? key;
      const line = `${name}: ${issue.message}`;
      if (!problems.some((p) => p.startsWith(`${name}:`))) problems.push(line);
    }
  }

  if (problems.length > 0) throw configError(problems);

  let mail: MailConfig = { kind: 'dev' };
  if (e.SMTP_URL) mail = { kind: 'smtp-url', url: e.SMTP_URL, from: e.MAIL_FROM };
  else if (e.EMAIL_SERVICE && e.EMAIL_USER && e.EMAIL_PASS) {
    mail = {
      kind: 'smtp-service',
      service: e.EMAIL_SERVICE,
      user: e.EMAIL_USER,
      pass: e.EMAIL_PASS,
      from: e.MAIL_FROM,
    };
  }

  return {
    port,
    host: e.HOST ?? '0.0.0.0',
    nodeEnv,
    mongodbUri: e.MONGODB_URI ?? null,
    databaseUrl: e.DATABASE_URL ?? null,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR ?? './data',
    store: e.STORE ?? 'auto',
    generatedJwtSecret: e.JWT_SECRET === undefined,
    mail,
    corsOrigins: cors,
    trustProxy,
    bodyLimit: e.BODY_LIMIT ?? '100kb',
    logLevel: e.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    authRateLimit: {
      points: e.AUTH_RATE_LIMIT_POINTS ?? 30,
      windowMs: (e.AUTH_RATE_LIMIT_WINDOW_SECONDS ?? 900) * 1000,
    },
    socketRecovery: e.SOCKET_RECOVERY ?? false,
    metrics: e.METRICS ?? false,
    metricsPort: e.METRICS_PORT ?? null,
    redisUrl: e.REDIS_URL ?? null,
    redisKeyPrefix: e.REDIS_KEY_PREFIX ?? 'parley:',
    webApp: e.WEB_APP ?? true,
    push,
    chat,
    warnings,
  };
}

/** Parses each variable on its own, keeping the good ones, so cross-checks can still run. */
function partialParse(raw: Record<string, string>): Partial<Env> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(envSchema.shape)) {
    if (raw[key] === undefined) continue;
    const result = schema.safeParse(raw[key]);
    if (result.success) out[key] = result.data;
  }
  return out as Partial<Env>;
}

/**
 * Completes a configuration given in code (tests, embedding): every field of {@link HostConfig}
 * has the same default as in {@link loadEnv}; without `chat.jwtSecret` a random one is used.
 */
export function hostConfig(input: HostConfigInput = {}): HostConfig {
  const nodeEnv = input.nodeEnv ?? 'development';
  const port = input.port ?? 3000;
  const warnings: string[] = [];
  if (input.databaseUrl && input.mongodbUri)
    throw configError(['databaseUrl and mongodbUri: both are set; set only one']);
  // The same production rules as loadEnv: a config given in code must not be the way around them.
  if (nodeEnv === 'production') {
    const problems: string[] = [];
    if (input.chat?.jwtSecret === undefined)
      problems.push('chat.jwtSecret: required when nodeEnv is production');
    if (input.corsOrigins === '*')
      problems.push('corsOrigins: "*" is not allowed when nodeEnv is production');
    if (input.mail === undefined)
      problems.push(
        'mail: required when nodeEnv is production (give { kind: "dev" } to write emails to the log)',
      );
    if (problems.length > 0) throw configError(problems);
  }
  let jwtSecret = input.chat?.jwtSecret;
  if (jwtSecret === undefined) {
    jwtSecret = generatedSecret();
    warnings.push('No JWT secret given: using a random secret, so every token dies when the server restarts');
  }
  return {
    port,
    host: input.host ?? '0.0.0.0',
    nodeEnv,
    mongodbUri: input.mongodbUri ?? null,
    databaseUrl: input.databaseUrl ?? null,
    databasePoolSize: input.databasePoolSize,
    dataDir: input.dataDir ?? './data',
    store: input.store ?? 'auto',
    generatedJwtSecret: input.chat?.jwtSecret === undefined,
    mail: input.mail ?? { kind: 'dev' },
    corsOrigins: input.corsOrigins ?? (nodeEnv === 'production' ? [] : '*'),
    trustProxy: input.trustProxy ?? false,
    bodyLimit: input.bodyLimit ?? '100kb',
    logLevel: input.logLevel ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    authRateLimit: input.authRateLimit ?? { points: 30, windowMs: 900_000 },
    socketRecovery: input.socketRecovery ?? false,
    metrics: input.metrics ?? false,
    metricsPort: input.metricsPort ?? null,
    redisUrl: input.redisUrl ?? null,
    redisKeyPrefix: input.redisKeyPrefix ?? 'parley:',
    webApp: input.webApp ?? true,
    push: input.push ?? null,
    chat: { publicUrl: `http://localhost:${port}`, ...input.chat, jwtSecret },
    warnings,
  };
}
