/**
 * Input schemas of the identity operations, one per operation. Transports may reuse them for
 * payload checks; every one normalizes as the contract says (emails trimmed and lower-cased,
 * nicknames trimmed, passwords never touched).
 */
import { z } from 'zod';
import { DEFAULT_LIMIT, limitSchema, MAX_LIMIT } from '../util/pagination.js';
import { displayNameSchema, freeTextSchema } from '../util/text.js';

/** Longest password bcrypt reads: past it bcrypt would silently truncate, so it is refused. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_BYTES = 8;

/** An email address, trimmed and lower-cased. */
export const emailSchema = z
  .string({ error: 'required' })
  .trim()
  .toLowerCase()
  .min(1, 'required')
  .max(254, 'too long')
  .pipe(z.email({ error: 'not a valid email address' }));

/** A new password: 8 to 72 bytes in UTF-8, taken as given (no trimming). */
export const newPasswordSchema = z.string({ error: 'required' }).superRefine((value, ctx) => {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < PASSWORD_MIN_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must be at least ${PASSWORD_MIN_BYTES} bytes` });
  } else if (bytes > PASSWORD_MAX_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${PASSWORD_MAX_BYTES} bytes` });
  }
});

/**
 * A password being checked. Older rules may have allowed shorter ones, so only the bcrypt limit
 * applies: a longer one can never match and must not be truncated into a match.
 */
export const currentPasswordSchema = z
  .string({ error: 'required' })
  .min(1, 'required')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES, {
    message: `must be at most ${PASSWORD_MAX_BYTES} bytes`,
  });

/** A nickname: 1 to 32 visible characters (code points) after trimming, NFC-normalized. */
export const nicknameSchema = displayNameSchema(32);

/** A 6-digit one-time code. */
export const codeSchema = z
  .string({ error: 'required' })
  .trim()
  .regex(/^\d{6}$/, 'must be 6 digits');

export const registerSchema = z.object({
  email: emailSchema,
  password: newPasswordSchema,
  nickname: nicknameSchema,
});

export const verifyEmailSchema = z.union([
  z.object({ email: emailSchema, code: codeSchema }),
  z.object({ token: z.string().trim().min(1, 'required').max(256, 'too long') }),
]);

export const emailOnlySchema = z.object({ email: emailSchema });

export const loginSchema = z.object({ email: emailSchema, password: currentPasswordSchema });

export const resetPasswordSchema = z.object({
  email: emailSchema,
  code: codeSchema,
  password: newPasswordSchema,
});

export const changePasswordSchema = z.object({
  currentPassword: currentPasswordSchema,
  newPassword: newPasswordSchema,
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048, 'too long');

export const updateProfileSchema = z.strictObject({
  nickname: nicknameSchema.optional(),
  avatarUrl: z
    .union([z.literal('').transform(() => null), httpUrl])
    .nullable()
    .optional(),
  bio: freeTextSchema(500)
    .transform((value) => (value.length === 0 ? null : value))
    .nullable()
    .optional(),
});

/** Search: largest and default number of results, as for every list of the contract. */
export const SEARCH_MAX_LIMIT = MAX_LIMIT;
export const SEARCH_DEFAULT_LIMIT = DEFAULT_LIMIT;

export const searchSchema = z.object({
  q: z.string({ error: 'required' }).trim().min(1, 'required').max(254, 'too long'),
  limit: limitSchema,
});

/** `PUT /api/users/me/settings`: each setting left out stays as it is. */
export const updateSettingsSchema = z.strictObject({
  showLastSeen: z.boolean({ error: 'must be true or false' }).optional(),
  showOnline: z.boolean({ error: 'must be true or false' }).optional(),
  sendReadReceipts: z.boolean({ error: 'must be true or false' }).optional(),
  pushPreviews: z.boolean({ error: 'must be true or false' }).optional(),
});
