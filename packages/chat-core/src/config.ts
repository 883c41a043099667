/**
 * Engine configuration, parsed and validated in one place. Hosts map their environment onto
 * {@link ChatConfigInput}; a bad setting fails `parseConfig` with a message naming it.
 */
import { z } from 'zod';
import { ChatError } from './errors.js';
import { CHAT_EVENT_NAMES, type ChatEventName } from './events.js';

const rateRule = z.object({
  points: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});

/** The schema of {@link ChatConfigInput}; every optional field has its default here. */
export const chatConfigSchema = z
  .object({
    /** Secret for HS256 JWTs and signed invite tokens; at least 16 characters. */
    jwtSecret: z.string().min(16, 'jwtSecret must be at least 16 characters'),
    /** JWT lifetime: seconds, or a duration like `7d`, `12h`, `30m`. @default '7d' */
    jwtExpiresIn: z
      .union([z.number().int().positive(), z.string().regex(/^\d+\s*(ms|s|m|h|d|w|y)?$/)])
      .default('7d'),
    /** bcrypt cost factor. @default 10 */
    bcryptCost: z.number().int().min(4).max(15).default(10),
    /** Login answers EMAIL_NOT_VERIFIED until the email is verified. @default false */
    requireVerifiedEmail: z.boolean().default(false),
    /** `friends`: private messages need friendship; `anyone`: lifts it (blocks still apply). @default 'friends' */
    privateMessagePolicy: z.enum(['friends', 'anyone']).default('friends'),
    /** History older than this many days is not served; 0 serves all. @default 0 */
    messageRoamingDays: z.number().int().min(0).default(0),
    /** How long a sender may recall a message. @default 120 */
    recallWindowSeconds: z.number().int().min(0).default(120),
    /** How long a sender may edit a text message; 0 sets no limit. @default 86400 (a day) */
    editWindowSeconds: z.number().int().min(0).default(86_400),
    /** Longest text message, in characters. @default 5000 */
    maxTextLength: z.number().int().min(1).max(100_000).default(5000),
    /** Base URL of the web client; QR codes encode `${publicUrl}/invite/<token>`. @default 'http://localhost:3000' */
    publicUrl: z.url().default('http://localhost:3000'),
    /** Default and upper member limit of a group. @default 500 */
    groupMaxMembers: z.number().int().min(2).max(100_000).default(500),
    /** Lifetime of a group invite token. @default 604800 (7 days) */
    groupInviteTtlSeconds: z
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600),
    /** Lifetime of a verification or reset code. @default 900 (15 minutes) */
    codeTtlSeconds: z.number().int().positive().default(900),
    /** Wrong tries a code allows before it is void. @default 5 */
    codeMaxAttempts: z.number().int().positive().default(5),
    /** How long an offline broadcast waits to absorb a reconnect, in ms. @default 3000 */
    presenceGraceMs: z.number().int().min(0).default(3000),
    /**
     * Login attempts per email from one IP address, forgotten on a successful login. Keyed by both,
     * so a stranger's wrong passwords never lock the owner out; the host adds a per-IP budget.
     * @default { points: 10, windowMs: 900000 }
     */
    loginRateLimit: rateRule.default({ points: 10, windowMs: 15 * 60_000 }),
    /**
     * Each user's event budget, shared by all their connections and their REST sends: `perSecond`
     * sustained, plus a burst allowance of `burst` events (refilled every `burstWindowMs`) spent
     * once a second's share is used, so a client flushing an outbox of 200 messages is served.
     * @default { perSecond: 20, burst: 200, burstWindowMs: 30000 }
     */
    eventRateLimit: z
      .object({
        perSecond: z.number().int().positive(),
        burst: z.number().int().min(0),
        burstWindowMs: z.number().int().positive().default(30_000),
      })
      .default({ perSecond: 20, burst: 200, burstWindowMs: 30_000 }),
    /** Registrations and verification mails per email. @default { points: 5, windowMs: 3600000 } */
    registerRateLimit: rateRule.default({ points: 5, windowMs: 60 * 60_000 }),
    /** Where each committed event is POSTed (see docs/INTEGRATIONS.md). @default [] (none) */
    webhookUrls: z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })).default([]),
    /** The HMAC-SHA256 key of `Parley-Signature`; required with `webhookUrls`, at least 16 characters. */
    webhookSecret: z.string().min(16, 'webhookSecret must be at least 16 characters').optional(),
    /** Event names sent to webhooks. @default every event but typing_status_update */
    webhookEvents: z
      .array(z.enum(CHAT_EVENT_NAMES as [ChatEventName, ...ChatEventName[]], { error: 'not an event name' }))
      .optional(),
    /** A webhook POST that has not answered in this long is retried. @default 10000 */
    webhookTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Attempts of a webhook or push before it is kept as failed. @default 15 (about 9 hours of retries) */
    deliveryMaxAttempts: z.number().int().min(1).max(100).default(15),
    /** First retry delay, doubled per attempt with jitter. @default 1000 */
    deliveryBaseDelayMs: z.number().int().min(1).default(1000),
    /** Longest retry delay. @default 3600000 (an hour) */
    deliveryMaxDelayMs: z.number().int().min(1).default(3_600_000),
    /**
     * How long a claimed delivery stays with the node that claimed it; a node that dies mid-delivery
     * leaves its entries to the others after this. Must exceed webhookTimeoutMs. @default 60000
     */
    deliveryLeaseMs: z.number().int().min(500).default(60_000),
    /** How often each node looks for due deliveries (local events wake it at once). @default 1000 */
    deliveryPollMs: z.number().int().min(10).default(1000),
    /** How long a push service keeps a notification for an offline device. @default 86400 */
    pushTtlSeconds: z.number().int().min(0).max(2_419_200).default(86_400),
  })
  .superRefine((config, ctx) => {
    if (config.deliveryLeaseMs <= config.webhookTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['deliveryLeaseMs'],
        message: 'deliveryLeaseMs must be longer than webhookTimeoutMs (a lease must outlast a delivery)',
      });
    }
    if (config.webhookUrls.length > 0 && config.webhookSecret === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhookSecret'],
        message:
          'webhookSecret is required when webhookUrls are set (receivers verify the signature with it)',
      });
    }
  });

/** What a host passes as `config`; fields with defaults may be left out. */
export type ChatConfigInput = z.input<typeof chatConfigSchema>;

/** The validated configuration with every default filled in. */
export type ChatConfig = z.output<typeof chatConfigSchema>;

/**
 * Validates a configuration. Throws a `ChatError('VALIDATION_FAILED')` whose message names every
 * bad setting, e.g. `Invalid config: jwtSecret: jwtSecret must be at least 16 characters`.
 */
export function parseConfig(input: ChatConfigInput): ChatConfig {
  const result = chatConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new ChatError('VALIDATION_FAILED', `Invalid config: ${problems.join('; ')}`, {
    details: { fields: problems },
  });
}
