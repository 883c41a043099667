/**
 * One-time codes for email verification and password reset: 6 digits, stored as a SHA-256 salted
 * with the user id, with an optional link token (32 random bytes) stored as its SHA-256. A code
 * expires after `codeTtlSeconds`, is single-use and is void after `codeMaxAttempts` wrong tries.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { EngineContext } from '../context.js';
import type { CodePurpose, OneTimeCodeRecord } from '../domain/records.js';
import { ChatError } from '../errors.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function hashCode(userId: string, code: string): string {
  return sha256(`${userId}:${code}`);
}

export function hashLinkToken(token: string): string {
  return sha256(token);
}

/** The one answer to every bad code, so callers learn nothing about why it failed. */
export function invalidCode(field: 'code' | 'token' = 'code'): ChatError {
  return new ChatError('VALIDATION_FAILED', 'Invalid or expired code', {
    details: { fields: { [field]: 'invalid or expired' } },
  });
}

/** Issues a fresh code (replacing any earlier one of that purpose) and answers it in clear. */
export async function issueCode(
  ctx: EngineContext,
  userId: string,
  purpose: CodePurpose,
  options: { withLink: boolean },
): Promise<{ code: string; linkToken: string | null }> {
  const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
  const linkToken = options.withLink ? randomBytes(32).toString('base64url') : null;
  const now = ctx.clock.now();
  await ctx.store.authTokens.putCode({
    id: ctx.ids.next(),
    userId,
    purpose,
    codeHash: hashCode(userId, code),
    linkTokenHash: linkToken === null ? null : hashLinkToken(linkToken),
    attempts: 0,
    expiresAt: new Date(now.getTime() + ctx.config.codeTtlSeconds * 1000),
    createdAt: now,
  });
  return { code, linkToken };
}

function isLive(ctx: EngineContext, record: OneTimeCodeRecord): boolean {
  return (
    record.expiresAt.getTime() > ctx.clock.now().getTime() && record.attempts < ctx.config.codeMaxAttempts
  );
}

/**
 * Checks a typed code without consuming it. A wrong code counts one try (and voids the code at the
 * limit); every failure is the same VALIDATION_FAILED.
 */
export async function checkCode(
  ctx: EngineContext,
  userId: string,
  purpose: CodePurpose,
  code: string,
): Promise<OneTimeCodeRecord> {
  const record = await ctx.store.authTokens.getCode(userId, purpose);
  if (!record || !isLive(ctx, record)) throw invalidCode();
  const expected = Buffer.from(record.codeHash, 'hex');
  const given = Buffer.from(hashCode(userId, code), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    const attempts = await ctx.store.authTokens.incrementCodeAttempts(record.id);
    if (attempts !== null && attempts >= ctx.config.codeMaxAttempts) {
      await ctx.store.authTokens.consumeCode(record.id);
    }
    throw invalidCode();
  }
  return record;
}

/** Finds the live code behind a link token, without consuming it. */
export async function checkLinkToken(ctx: EngineContext, token: string): Promise<OneTimeCodeRecord> {
  const record = await ctx.store.authTokens.getCodeByLinkTokenHash(hashLinkToken(token));
  if (record?.purpose !== 'verify_email' || !isLive(ctx, record)) throw invalidCode('token');
  return record;
}

/** Uses the code up; only one of several concurrent uses gets through. */
export async function consumeCode(ctx: EngineContext, record: OneTimeCodeRecord): Promise<void> {
  if (!(await ctx.store.authTokens.consumeCode(record.id))) throw invalidCode();
}
