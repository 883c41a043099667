import { expect } from 'vitest';
import type { CodePurpose, OneTimeCodeRecord } from '../../domain/records.js';
import { objectIdGenerator } from '../../ports/ids.js';
import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

const ids = objectIdGenerator();
// Codes and revocations may be purged once expired, so every test keeps them in the future.
const FUTURE = () => new Date(Date.now() + 3_600_000);
let serial = 0;

function codeRecord(
  userId: string,
  purpose: CodePurpose,
  overrides: Partial<OneTimeCodeRecord> = {},
): OneTimeCodeRecord {
  serial += 1;
  return {
    id: ids.next(),
    userId,
    purpose,
    codeHash: `code-hash-${serial}-${ids.next()}`,
    linkTokenHash: `link-hash-${serial}-${ids.next()}`,
    attempts: 0,
    expiresAt: FUTURE(),
    createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
    ...overrides,
  };
}

/** Store-level conformance of the auth-tokens area. */
export function authTokensStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.auth-tokens',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (test) => {
      test('putCode stores a code that getCode and getCodeByLinkTokenHash answer', async ({ store }) => {
        const userId = ids.next();
        const code = codeRecord(userId, 'verify_email');
        await store.authTokens.putCode(code);
        expect(await store.authTokens.getCode(userId, 'verify_email')).toEqual(code);
        expect(await store.authTokens.getCodeByLinkTokenHash(code.linkTokenHash ?? '')).toEqual(code);
      });

      test('lookups that match nothing answer null', async ({ store }) => {
        const userId = ids.next();
        await store.authTokens.putCode(codeRecord(userId, 'verify_email', { linkTokenHash: null }));
        expect(await store.authTokens.getCode(userId, 'reset_password')).toBeNull();
        expect(await store.authTokens.getCode(ids.next(), 'verify_email')).toBeNull();
        expect(await store.authTokens.getCode('not-an-id', 'verify_email')).toBeNull();
        expect(await store.authTokens.getCodeByLinkTokenHash('no-such-hash')).toBeNull();
        expect(await store.authTokens.incrementCodeAttempts(ids.next())).toBeNull();
        expect(await store.authTokens.incrementCodeAttempts('not-an-id')).toBeNull();
        expect(await store.authTokens.consumeCode(ids.next())).toBe(false);
        expect(await store.authTokens.consumeCode('not-an-id')).toBe(false);
        expect(await store.authTokens.isTokenRevoked('never-revoked')).toBe(false);
      });

      test('putCode replaces the earlier code of the same user and purpose only', async ({ store }) => {
        const userId = ids.next();
        const first = codeRecord(userId, 'verify_email');
        const reset = codeRecord(userId, 'reset_password');
        const other = codeRecord(ids.next(), 'verify_email');
        await store.authTokens.putCode(first);
        await store.authTokens.putCode(reset);
        await store.authTokens.putCode(other);
        const second = codeRecord(userId, 'verify_email');
        await store.authTokens.putCode(second);
        expect(await store.authTokens.getCode(userId, 'verify_email')).toEqual(second);
        expect(await store.authTokens.getCodeByLinkTokenHash(first.linkTokenHash ?? '')).toBeNull();
        expect(await store.authTokens.getCodeByLinkTokenHash(second.linkTokenHash ?? '')).toEqual(second);
        expect(await store.authTokens.consumeCode(first.id)).toBe(false);
        expect(await store.authTokens.getCode(userId, 'reset_password')).toEqual(reset);
        expect(await store.authTokens.getCode(other.userId, 'verify_email')).toEqual(other);
      });

      test('incrementCodeAttempts counts wrong tries and getCode shows them', async ({ store }) => {
        const code = codeRecord(ids.next(), 'reset_password');
        await store.authTokens.putCode(code);
        expect(await store.authTokens.incrementCodeAttempts(code.id)).toBe(1);
        expect(await store.authTokens.incrementCodeAttempts(code.id)).toBe(2);
        expect(await store.authTokens.getCode(code.userId, 'reset_password')).toMatchObject({ attempts: 2 });
      });

      test('concurrent incrementCodeAttempts calls each count', async ({ store }) => {
        const code = codeRecord(ids.next(), 'verify_email');
        await store.authTokens.putCode(code);
        const counts = await Promise.all(
          Array.from({ length: 10 }, () => store.authTokens.incrementCodeAttempts(code.id)),
        );
        expect(counts.map(Number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect((await store.authTokens.getCode(code.userId, 'verify_email'))?.attempts).toBe(10);
      });

      test('consumeCode deletes the code once: true, then false, and lookups miss it', async ({ store }) => {
        const code = codeRecord(ids.next(), 'verify_email');
        await store.authTokens.putCode(code);
        expect(await store.authTokens.consumeCode(code.id)).toBe(true);
        expect(await store.authTokens.consumeCode(code.id)).toBe(false);
        expect(await store.authTokens.getCode(code.userId, 'verify_email')).toBeNull();
        expect(await store.authTokens.getCodeByLinkTokenHash(code.linkTokenHash ?? '')).toBeNull();
        expect(await store.authTokens.incrementCodeAttempts(code.id)).toBeNull();
      });

      test('concurrent consumeCode calls: exactly one is true', async ({ store }) => {
        const code = codeRecord(ids.next(), 'reset_password');
        await store.authTokens.putCode(code);
        const results = await Promise.all([
          store.authTokens.consumeCode(code.id),
          store.authTokens.consumeCode(code.id),
          store.authTokens.consumeCode(code.id),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      test('revokeToken marks a JWT id revoked, idempotently, and no other', async ({ store }) => {
        expect(await store.authTokens.isTokenRevoked('jti-1')).toBe(false);
        await store.authTokens.revokeToken('jti-1', FUTURE());
        await store.authTokens.revokeToken('jti-1', FUTURE());
        await Promise.all([
          store.authTokens.revokeToken('jti-2', FUTURE()),
          store.authTokens.revokeToken('jti-2', FUTURE()),
        ]);
        expect(await store.authTokens.isTokenRevoked('jti-1')).toBe(true);
        expect(await store.authTokens.isTokenRevoked('jti-2')).toBe(true);
        expect(await store.authTokens.isTokenRevoked('jti-3')).toBe(false);
      });

      test('answers are copies: mutating them changes nothing stored', async ({ store }) => {
        const code = codeRecord(ids.next(), 'verify_email');
        await store.authTokens.putCode(code);
        code.attempts = 42;
        const got = await store.authTokens.getCode(code.userId, 'verify_email');
        if (got) {
          got.attempts = 7;
          got.expiresAt.setTime(0);
        }
        const byLink = await store.authTokens.getCodeByLinkTokenHash(code.linkTokenHash ?? '');
        if (byLink) byLink.codeHash = 'mutated';
        expect(await store.authTokens.getCode(code.userId, 'verify_email')).toMatchObject({
          attempts: 0,
          codeHash: code.codeHash,
          expiresAt: code.expiresAt,
        });
      });
    },
  );
}
