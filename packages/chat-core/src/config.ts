/**
 * Engine configuration, parsed and validated in one place. Hosts map their environment onto
 * {@link ChatConfigInput}; a bad setting fails `parseConfig` with a message naming it.
 */
import { z } from 'zod';
import { ChatError } from './errors.js';

const rateRule = z.object({
  points: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});

/** The schema of {@link ChatConfigInput}; every optional field has its default here. */
export const chatConfigSchema = z.object({
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
