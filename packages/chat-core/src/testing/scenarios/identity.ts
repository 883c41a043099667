import jwt from 'jsonwebtoken';
import { expect } from 'vitest';
import type { ControlEventMap } from '../../events.js';
import { objectIdGenerator } from '../../ports/ids.js';
import type { Mailer } from '../../ports/mailer.js';
import type { ScenarioContext, TestUser } from '../fixtures.js';
import type { ConformanceOptions } from '../harness.js';
import { expectRefusal } from './refusals.js';
import { defineScenarios, engineOver } from './scenario-area.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The 6-digit code of the newest email to `address`. */
function mailedCode(ctx: ScenarioContext, address: string): string {
  const code = /\b(\d{6})\b/.exec(ctx.mailer.lastTo(address)?.text ?? '')?.[1];
  if (!code) throw new Error(`no code mailed to ${address}`);
  return code;
}

/** The link token of the newest verification email to `address`. */
function mailedLinkToken(ctx: ScenarioContext, address: string): string {
  const token = /\/verify-email\?token=([A-Za-z0-9_%-]+)/.exec(ctx.mailer.lastTo(address)?.text ?? '')?.[1];
  if (!token) throw new Error(`no verification link mailed to ${address}`);
  return decodeURIComponent(token);
}

/** A code other than `code`. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** Every `session_revoked` signal of the engine, recorded from now on. */
function revocations(ctx: ScenarioContext): ControlEventMap['session_revoked'][] {
  const seen: ControlEventMap['session_revoked'][] = [];
  ctx.engine.control.on('session_revoked', (payload) => seen.push(payload));
  return seen;
}

/**
 * After a password change or reset: `u`'s old token is refused, one session_revoked signal went
 * out for them, the old password no longer logs in and `newPassword` does.
 */
async function expectPasswordReplaced(
  ctx: ScenarioContext,
  u: TestUser,
  signals: ControlEventMap['session_revoked'][],
  newPassword: string,
): Promise<void> {
  await expectRefusal(ctx.engine.auth.authenticate(u.token), 'UNAUTHORIZED');
  expect(signals).toEqual([{ userId: u.id }]);
  await expectRefusal(ctx.engine.auth.login({ email: u.email, password: u.password }), 'INVALID_CREDENTIALS');
  await ctx.engine.auth.login({ email: u.email, password: newPassword });
}

let serial = 0;
const freshEmail = (name = 'new') => {
  serial += 1;
  return `${name}.${serial}.${Date.now().toString(36)}@example.test`;
};

/** Engine-level scenarios of the identity area. */
export function identityScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.identity', options, (test) => {
    // ── register ────────────────────────────────────────────────────────────────────────────
    test('register normalizes the email, answers the private user and a working token', async (ctx) => {
      const email = freshEmail('alice');
      const result = await ctx.engine.auth.register({
        email: `  ${email.toUpperCase()} `,
        password: 'correct horse',
        nickname: '  Alice  ',
      });
      expect(result.user).toMatchObject({
        email,
        nickname: 'Alice',
        emailVerified: false,
        avatarUrl: null,
        bio: null,
        settings: { privateMessagePolicy: 'friends' },
      });
      expect(result.user).not.toHaveProperty('passwordHash');
      const session = await ctx.engine.auth.authenticate(result.token);
      expect(session.userId).toBe(result.user.id);
      const stored = await ctx.store.users.getByEmail(email);
      expect(stored?.id).toBe(result.user.id);
      expect(stored?.passwordHash).not.toContain('correct horse');
      if (ctx.probes)
        expect(await ctx.probes.user(result.user.id)).toMatchObject({ email, nickname: 'Alice' });
    });

    test('register mails a 6-digit code and a verification link to the normalized address', async (ctx) => {
      const email = freshEmail();
      await ctx.engine.auth.register({
        email: email.toUpperCase(),
        password: 'password1',
        nickname: 'Mia',
      });
      expect(ctx.mailer.sent).toHaveLength(1);
      const mail = ctx.mailer.sent[0];
      expect(mail?.to).toBe(email);
      expect(mail?.text).toMatch(/\b\d{6}\b/);
      expect(mail?.text).toContain(`${ctx.engine.config.publicUrl}/verify-email?token=`);
      expect(mail?.html).toContain(mailedCode(ctx, email));
    });

    test('register refuses bad input with VALIDATION_FAILED naming the field, and creates nothing', async (ctx) => {
      const email = freshEmail();
      const cases: [unknown, string][] = [
        [{ password: 'password1', nickname: 'N' }, 'email'],
        [{ email: 'not-an-email', password: 'password1', nickname: 'N' }, 'email'],
        [{ email, password: 'short12', nickname: 'N' }, 'password'],
        // 73 bytes in 37 characters: refused, never truncated to 72.
        [{ email, password: `${'é'.repeat(36)}a`, nickname: 'N' }, 'password'],
        [{ email, password: 'password1', nickname: '   ' }, 'nickname'],
        [{ email, password: 'password1', nickname: 'x'.repeat(33) }, 'nickname'],
        [{ email, password: 12345678, nickname: 'N' }, 'password'],
      ];
      for (const [input, field] of cases) {
        const error = await expectRefusal(ctx.engine.auth.register(input as never), 'VALIDATION_FAILED');
        expect(Object.keys((error.details?.fields ?? {}) as object)).toContain(field);
      }
      await expectRefusal(ctx.engine.auth.register(null as never), 'VALIDATION_FAILED');
      expect(await ctx.store.users.getByEmail(email)).toBeNull();
      expect(ctx.mailer.sent).toHaveLength(0);
    });

    test('a password of exactly 72 bytes is accepted; one byte more never logs in', async (ctx) => {
      const email = freshEmail();
      const password = 'é'.repeat(36); // 72 bytes, 36 characters
      await ctx.engine.auth.register({ email, password, nickname: 'Bytes' });
      expect((await ctx.engine.auth.login({ email, password })).user.email).toBe(email);
      await expectRefusal(ctx.engine.auth.login({ email, password: `${password}x` }), 'VALIDATION_FAILED');
      const ascii = freshEmail();
      await ctx.engine.auth.register({ email: ascii, password: 'a'.repeat(72), nickname: 'Ascii' });
      await expectRefusal(
        ctx.engine.auth.login({ email: ascii, password: `${'a'.repeat(72)}b` }),
        'VALIDATION_FAILED',
      );
    });

    test('nicknames count characters, not bytes: 32 emoji are fine', async (ctx) => {
      const { user } = await ctx.engine.auth.register({
        email: freshEmail(),
        password: 'password1',
        nickname: '😀'.repeat(32),
      });
      expect(user.nickname).toBe('😀'.repeat(32));
    });

    test('register refuses a registered email (any case) with EMAIL_TAKEN and changes nothing', async (ctx) => {
      const alice = await ctx.user('Alice');
      const before = await ctx.store.users.getById(alice.id);
      const mails = ctx.mailer.sent.length;
      await expectRefusal(
        ctx.engine.auth.register({
          email: ` ${alice.email.toUpperCase()}`,
          password: 'other-pass',
          nickname: 'Eve',
        }),
        'EMAIL_TAKEN',
      );
      expect(await ctx.store.users.getById(alice.id)).toEqual(before);
      expect(ctx.mailer.sent).toHaveLength(mails);
      await ctx.engine.auth.login({ email: alice.email, password: alice.password });
    });

    test('a mail that cannot be sent does not fail the registration', async (ctx) => {
      const failing: Mailer = { send: () => Promise.reject(new Error('SMTP down')) };
      const engine = engineOver(ctx, { mailer: failing });
      const email = freshEmail();
      const { user, token } = await engine.auth.register({
        email,
        password: 'password1',
        nickname: 'Offline',
      });
      expect((await engine.auth.authenticate(token)).userId).toBe(user.id);
      expect(await ctx.store.users.getByEmail(email)).not.toBeNull();
    });

    // ── verification ───────────────────────────────────────────────────────────────────────
    test('verify-email by code marks the address verified; the code is single-use', async (ctx) => {
      const u = await ctx.user('Vera', { verified: false });
      const code = mailedCode(ctx, u.email);
      const { user } = await ctx.engine.auth.verifyEmail({ email: ` ${u.email.toUpperCase()} `, code });
      expect(user).toMatchObject({ id: u.id, emailVerified: true, email: u.email });
      expect((await ctx.engine.users.getMe(u.id)).emailVerified).toBe(true);
      await expectRefusal(ctx.engine.auth.verifyEmail({ email: u.email, code }), 'VALIDATION_FAILED');
    });

    test('verify-email by link token works once, and uses the code up too', async (ctx) => {
      const u = await ctx.user('Link', { verified: false });
      const token = mailedLinkToken(ctx, u.email);
      const code = mailedCode(ctx, u.email);
      expect((await ctx.engine.auth.verifyEmail({ token })).user).toMatchObject({
        id: u.id,
        emailVerified: true,
      });
      await expectRefusal(ctx.engine.auth.verifyEmail({ token }), 'VALIDATION_FAILED');
      await expectRefusal(ctx.engine.auth.verifyEmail({ email: u.email, code }), 'VALIDATION_FAILED');
    });

    test('wrong codes count: the right code still works after max-1 wrong tries', async (ctx) => {
      const u = await ctx.user('Tries', { verified: false });
      const code = mailedCode(ctx, u.email);
      for (let i = 0; i < ctx.engine.config.codeMaxAttempts - 1; i++) {
        const error = await expectRefusal(
          ctx.engine.auth.verifyEmail({ email: u.email, code: wrong(code) }),
          'VALIDATION_FAILED',
        );
        expect(error.message).toBe('Invalid or expired code');
      }
      expect((await ctx.engine.auth.verifyEmail({ email: u.email, code })).user.emailVerified).toBe(true);
    });

    test('after max wrong tries the code is void, even the right one, link included', async (ctx) => {
      const u = await ctx.user('Void', { verified: false });
      const code = mailedCode(ctx, u.email);
      const token = mailedLinkToken(ctx, u.email);
      for (let i = 0; i < ctx.engine.config.codeMaxAttempts; i++) {
        await expectRefusal(
          ctx.engine.auth.verifyEmail({ email: u.email, code: wrong(code) }),
          'VALIDATION_FAILED',
        );
      }
      await expectRefusal(ctx.engine.auth.verifyEmail({ email: u.email, code }), 'VALIDATION_FAILED');
      await expectRefusal(ctx.engine.auth.verifyEmail({ token }), 'VALIDATION_FAILED');
      expect((await ctx.engine.users.getMe(u.id)).emailVerified).toBe(false);
      // A new code can be asked for and works.
      await ctx.engine.auth.resendVerification({ email: u.email });
      await ctx.engine.auth.verifyEmail({ email: u.email, code: mailedCode(ctx, u.email) });
      expect((await ctx.engine.users.getMe(u.id)).emailVerified).toBe(true);
    });

    test('codes and links expire after the code TTL (15 minutes)', async (ctx) => {
      const early = await ctx.user('Early', { verified: false });
      const late = await ctx.user('Late', { verified: false });
      const linkLate = await ctx.user('LinkLate', { verified: false });
      ctx.clock.advance(15 * MINUTE - 1000);
      await ctx.engine.auth.verifyEmail({ email: early.email, code: mailedCode(ctx, early.email) });
      ctx.clock.advance(2000);
      await expectRefusal(
        ctx.engine.auth.verifyEmail({ email: late.email, code: mailedCode(ctx, late.email) }),
        'VALIDATION_FAILED',
      );
      await expectRefusal(
        ctx.engine.auth.verifyEmail({ token: mailedLinkToken(ctx, linkLate.email) }),
        'VALIDATION_FAILED',
      );
      expect((await ctx.engine.users.getMe(late.id)).emailVerified).toBe(false);
      expect((await ctx.engine.users.getMe(linkLate.id)).emailVerified).toBe(false);
    });

    test('resend-verification replaces the code: the old one stops working', async (ctx) => {
      const u = await ctx.user('Resend', { verified: false });
      const old = mailedCode(ctx, u.email);
      const oldToken = mailedLinkToken(ctx, u.email);
      await ctx.engine.auth.resendVerification({ email: u.email.toUpperCase() });
      const fresh = mailedCode(ctx, u.email);
      if (fresh !== old) {
        await expectRefusal(ctx.engine.auth.verifyEmail({ email: u.email, code: old }), 'VALIDATION_FAILED');
      }
      await expectRefusal(ctx.engine.auth.verifyEmail({ token: oldToken }), 'VALIDATION_FAILED');
      await ctx.engine.auth.verifyEmail({ email: u.email, code: fresh });
      expect((await ctx.engine.users.getMe(u.id)).emailVerified).toBe(true);
    });

    test('resend-verification answers the same whatever the email; only the unverified get mail', async (ctx) => {
      const verified = await ctx.user('Done');
      const pending = await ctx.user('Pending', { verified: false });
      const mails = ctx.mailer.sent.length;
      expect(await ctx.engine.auth.resendVerification({ email: freshEmail('ghost') })).toBeUndefined();
      expect(await ctx.engine.auth.resendVerification({ email: verified.email })).toBeUndefined();
      expect(ctx.mailer.sent).toHaveLength(mails);
      expect(await ctx.engine.auth.resendVerification({ email: pending.email })).toBeUndefined();
      expect(ctx.mailer.sent).toHaveLength(mails + 1);
      expect(ctx.mailer.sent.at(-1)?.to).toBe(pending.email);
      await expectRefusal(ctx.engine.auth.resendVerification({ email: 'nope' }), 'VALIDATION_FAILED');
    });

    test('verify-email refuses bad input and unknown emails alike, changing nothing', async (ctx) => {
      const u = await ctx.user('Bad', { verified: false });
      const code = mailedCode(ctx, u.email);
      await expectRefusal(ctx.engine.auth.verifyEmail({} as never), 'VALIDATION_FAILED');
      await expectRefusal(
        ctx.engine.auth.verifyEmail({ email: u.email, code: '12345' }),
        'VALIDATION_FAILED',
      );
      await expectRefusal(
        ctx.engine.auth.verifyEmail({ email: u.email, code: 'abcdef' }),
        'VALIDATION_FAILED',
      );
      await expectRefusal(ctx.engine.auth.verifyEmail({ email: 'x', code }), 'VALIDATION_FAILED');
      await expectRefusal(ctx.engine.auth.verifyEmail({ token: '' }), 'VALIDATION_FAILED');
      await expectRefusal(ctx.engine.auth.verifyEmail({ token: 'not-a-real-token' }), 'VALIDATION_FAILED');
      const unknown = await expectRefusal(
        ctx.engine.auth.verifyEmail({ email: freshEmail('ghost'), code }),
        'VALIDATION_FAILED',
      );
      expect(unknown.message).toBe('Invalid or expired code');
      // None of this counted against the real code.
      await ctx.engine.auth.verifyEmail({ email: u.email, code });
    });

    // ── login ──────────────────────────────────────────────────────────────────────────────
    test('login answers a token and the private user; the email is normalized', async (ctx) => {
      const u = await ctx.user('Lou');
      const { token, user } = await ctx.engine.auth.login({
        email: ` ${u.email.toUpperCase()} `,
        password: u.password,
      });
      expect(user).toMatchObject({ id: u.id, email: u.email, emailVerified: true });
      expect((await ctx.engine.auth.authenticate(token)).userId).toBe(u.id);
    });

    test('unknown email and wrong password get the same INVALID_CREDENTIALS', async (ctx) => {
      const u = await ctx.user('Same');
      const unknown = await expectRefusal(
        ctx.engine.auth.login({ email: freshEmail('ghost'), password: u.password }),
        'INVALID_CREDENTIALS',
      );
      const wrongPassword = await expectRefusal(
        ctx.engine.auth.login({ email: u.email, password: `${u.password}!` }),
        'INVALID_CREDENTIALS',
      );
      expect(unknown.message).toBe(wrongPassword.message);
      expect(unknown.details).toEqual(wrongPassword.details);
    });

    test('a login for an unknown email spends about as long as a wrong password', async (ctx) => {
      // A cost where bcrypt dominates the call, so that skipping the hash check would show.
      const slow = ctx.withConfig({ bcryptCost: 8 });
      const email = freshEmail('timed');
      await slow.auth.register({ email, password: 'timed-password', nickname: 'Timed' });
      const time = async (input: { email: string; password: string }) => {
        const started = performance.now();
        await expectRefusal(slow.auth.login(input), 'INVALID_CREDENTIALS');
        return performance.now() - started;
      };
      await time({ email: freshEmail('warmup'), password: 'whatever-pass' });
      let unknown = 0;
      let wrongPassword = 0;
      for (let i = 0; i < 3; i++) {
        unknown += await time({ email: freshEmail('ghost'), password: 'whatever-pass' });
        wrongPassword += await time({ email, password: 'whatever-pass' });
      }
      expect(unknown).toBeGreaterThan(wrongPassword * 0.3);
    });

    test('login refuses malformed input with VALIDATION_FAILED', async (ctx) => {
      const u = await ctx.user('Malformed');
      await expectRefusal(ctx.engine.auth.login({ email: u.email } as never), 'VALIDATION_FAILED');
      await expectRefusal(
        ctx.engine.auth.login({ email: 'nope', password: u.password }),
        'VALIDATION_FAILED',
      );
      await expectRefusal(ctx.engine.auth.login({ email: u.email, password: '' }), 'VALIDATION_FAILED');
    });

    test('with requireVerifiedEmail, login answers EMAIL_NOT_VERIFIED until verified (after the password check)', async (ctx) => {
      const strict = ctx.withConfig({ requireVerifiedEmail: true });
      const u = await ctx.user('Strict', { verified: false });
      await expectRefusal(
        strict.auth.login({ email: u.email, password: 'wrong-password' }),
        'INVALID_CREDENTIALS',
      );
      await expectRefusal(strict.auth.login({ email: u.email, password: u.password }), 'EMAIL_NOT_VERIFIED');
      await ctx.engine.auth.verifyEmail({ email: u.email, code: mailedCode(ctx, u.email) });
      expect((await strict.auth.login({ email: u.email, password: u.password })).user.id).toBe(u.id);
      // Without the setting, unverified users log in.
      const relaxed = await ctx.user('Relaxed', { verified: false });
      await ctx.engine.auth.login({ email: relaxed.email, password: relaxed.password });
    });

    test('login is rate limited per email and address, with RATE_LIMITED and retryAfterMs', async (ctx) => {
      const limited = ctx.withConfig({ loginRateLimit: { points: 3, windowMs: 10 * MINUTE } });
      const u = await ctx.user('Brute');
      const other = await ctx.user('Bystander');
      const attacker = { ip: '203.0.113.7' };
      for (let i = 0; i < 3; i++) {
        await expectRefusal(
          limited.auth.login({ email: u.email, password: `guess-${i}-x` }, attacker),
          'INVALID_CREDENTIALS',
        );
      }
      const error = await expectRefusal(
        limited.auth.login({ email: u.email, password: u.password }, attacker),
        'RATE_LIMITED',
      );
      expect(error.details?.retryAfterMs).toBeGreaterThan(0);
      expect(error.details?.retryAfterMs).toBeLessThanOrEqual(10 * MINUTE);
      expect(error.details?.retryAfterSeconds).toBeGreaterThan(0);
      await expectRefusal(
        limited.auth.login({ email: ` ${u.email.toUpperCase()}`, password: u.password }, attacker),
        'RATE_LIMITED',
      );
      // The owner, from their own address, is not locked out by a stranger's guesses.
      const owner = await limited.auth.login(
        { email: u.email, password: u.password },
        { ip: '198.51.100.2' },
      );
      expect(owner.user.id).toBe(u.id);
      // Another email is not affected either.
      await limited.auth.login({ email: other.email, password: other.password }, attacker);
    });

    test('a successful login clears the failed attempts of that email', async (ctx) => {
      const limited = ctx.withConfig({ loginRateLimit: { points: 3, windowMs: 10 * MINUTE } });
      const u = await ctx.user('Forgetful');
      for (let i = 0; i < 2; i++) {
        await expectRefusal(
          limited.auth.login({ email: u.email, password: 'wrong-pass' }),
          'INVALID_CREDENTIALS',
        );
      }
      await limited.auth.login({ email: u.email, password: u.password });
      for (let i = 0; i < 2; i++) {
        await expectRefusal(
          limited.auth.login({ email: u.email, password: 'wrong-pass' }),
          'INVALID_CREDENTIALS',
        );
      }
      await limited.auth.login({ email: u.email, password: u.password });
    });

    test('verification mails are rate limited per email (register, resend, forgot)', async (ctx) => {
      const limited = ctx.withConfig({ registerRateLimit: { points: 2, windowMs: 10 * MINUTE } });
      const email = freshEmail('limited');
      await limited.auth.register({ email, password: 'password1', nickname: 'Limited' });
      await limited.auth.resendVerification({ email });
      const mails = ctx.mailer.sent.length;
      const error = await expectRefusal(limited.auth.resendVerification({ email }), 'RATE_LIMITED');
      expect(error.details?.retryAfterSeconds).toBeGreaterThan(0);
      expect(ctx.mailer.sent).toHaveLength(mails);
      await limited.auth.forgotPassword({ email });
      await limited.auth.forgotPassword({ email });
      await expectRefusal(limited.auth.forgotPassword({ email }), 'RATE_LIMITED');
      await expectRefusal(
        limited.auth.register({ email, password: 'password1', nickname: 'Again' }),
        'RATE_LIMITED',
      );
    });

    // ── tokens and sessions ────────────────────────────────────────────────────────────────
    test('a token carries sub, jti, iat and exp from JWT_EXPIRES_IN, signed HS256', async (ctx) => {
      const u = await ctx.user('Claims');
      const decoded = jwt.decode(u.token, { complete: true });
      expect(decoded?.header.alg).toBe('HS256');
      const payload = decoded?.payload as jwt.JwtPayload;
      expect(payload.sub).toBe(u.id);
      expect(typeof payload.jti).toBe('string');
      expect(payload.iat).toBe(Math.floor(ctx.clock.now().getTime() / 1000));
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(7 * 24 * 3600);
      expect(u.session).toMatchObject({
        userId: u.id,
        jti: payload.jti,
        issuedAt: new Date((payload.iat ?? 0) * 1000),
        expiresAt: new Date((payload.exp ?? 0) * 1000),
      });
      const other = await ctx.user('Other');
      expect(other.session.jti).not.toBe(u.session.jti);
    });

    test('an expired token answers TOKEN_EXPIRED', async (ctx) => {
      const u = await ctx.user('Expiring');
      ctx.clock.advance(7 * DAY - 1000);
      await ctx.engine.auth.authenticate(u.token);
      ctx.clock.advance(2000);
      await expectRefusal(ctx.engine.auth.authenticate(u.token), 'TOKEN_EXPIRED');
      const short = ctx.withConfig({ jwtExpiresIn: '1h' });
      const { token } = await short.auth.login({ email: u.email, password: u.password });
      ctx.clock.advance(60 * MINUTE);
      await expectRefusal(short.auth.authenticate(token), 'TOKEN_EXPIRED');
    });

    test('forged, tampered, alg-none and malformed tokens answer UNAUTHORIZED', async (ctx) => {
      const u = await ctx.user('Target');
      const secret = ctx.engine.config.jwtSecret;
      const now = Math.floor(ctx.clock.now().getTime() / 1000);
      const claims = { sub: u.id, jti: 'forged-jti', iat: now, exp: now + 3600, ver: 0 };
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const [header, , signature] = u.token.split('.');
      const candidates = [
        jwt.sign(claims, 'another-secret-of-enough-length'),
        jwt.sign(claims, secret, { algorithm: 'HS512' }),
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
        `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`,
        'not-a-jwt',
        'a.b.c',
        '',
      ];
      for (const token of candidates)
        await expectRefusal(ctx.engine.auth.authenticate(token), 'UNAUTHORIZED');
      await expectRefusal(ctx.engine.auth.authenticate(undefined as never), 'UNAUTHORIZED');
    });

    test('a well-signed token for no user, or without a version, answers UNAUTHORIZED', async (ctx) => {
      const u = await ctx.user('Real');
      const secret = ctx.engine.config.jwtSecret;
      const now = Math.floor(ctx.clock.now().getTime() / 1000);
      // An id no user holds: from a generator of its own, so it cannot collide with a real one.
      const ghost = objectIdGenerator().next();
      expect(await ctx.store.users.getById(ghost)).toBeNull();
      await expectRefusal(
        ctx.engine.auth.authenticate(
          jwt.sign({ sub: ghost, jti: 'j1', iat: now, exp: now + 60, ver: 0 }, secret),
        ),
        'UNAUTHORIZED',
      );
      await expectRefusal(
        ctx.engine.auth.authenticate(jwt.sign({ sub: u.id, jti: 'j2', iat: now, exp: now + 60 }, secret)),
        'UNAUTHORIZED',
      );
    });

    test('logout revokes that token only and signals its connections', async (ctx) => {
      const signals = revocations(ctx);
      const u = await ctx.user('Two devices');
      const second = await ctx.engine.auth.login({ email: u.email, password: u.password });
      await ctx.engine.auth.logout(u.session);
      await expectRefusal(ctx.engine.auth.authenticate(u.token), 'UNAUTHORIZED');
      expect((await ctx.engine.auth.authenticate(second.token)).userId).toBe(u.id);
      expect(signals).toEqual([{ userId: u.id, jti: u.session.jti }]);
    });

    test('logout-all revokes every token of the user, no one else’s, and signals without jti', async (ctx) => {
      const signals = revocations(ctx);
      const u = await ctx.user('Everywhere');
      const other = await ctx.user('Unaffected');
      const second = await ctx.engine.auth.login({ email: u.email, password: u.password });
      await ctx.engine.auth.logoutAll(u.id);
      await expectRefusal(ctx.engine.auth.authenticate(u.token), 'UNAUTHORIZED');
      await expectRefusal(ctx.engine.auth.authenticate(second.token), 'UNAUTHORIZED');
      await ctx.engine.auth.authenticate(other.token);
      expect(signals).toEqual([{ userId: u.id }]);
      const again = await ctx.engine.auth.login({ email: u.email, password: u.password });
      await ctx.engine.auth.authenticate(again.token);
    });

    test('change password: a fresh token, older tokens revoked, signal, new password in use', async (ctx) => {
      const signals = revocations(ctx);
      const u = await ctx.user('Changer');
      const other = await ctx.engine.auth.login({ email: u.email, password: u.password });
      const { token } = await ctx.engine.auth.changePassword(u.id, {
        currentPassword: u.password,
        newPassword: 'brand-new-password',
      });
      expect((await ctx.engine.auth.authenticate(token)).userId).toBe(u.id);
      await expectRefusal(ctx.engine.auth.authenticate(other.token), 'UNAUTHORIZED');
      await expectPasswordReplaced(ctx, u, signals, 'brand-new-password');
    });

    test('change password refuses a wrong current password or a bad new one, changing nothing', async (ctx) => {
      const signals = revocations(ctx);
      const u = await ctx.user('Careful');
      const before = await ctx.store.users.getById(u.id);
      await expectRefusal(
        ctx.engine.auth.changePassword(u.id, {
          currentPassword: 'not-my-password',
          newPassword: 'brand-new-password',
        }),
        'INVALID_CREDENTIALS',
      );
      for (const newPassword of ['short', `${'ü'.repeat(36)}!`]) {
        await expectRefusal(
          ctx.engine.auth.changePassword(u.id, { currentPassword: u.password, newPassword }),
          'VALIDATION_FAILED',
        );
      }
      await expectRefusal(ctx.engine.auth.changePassword(u.id, {} as never), 'VALIDATION_FAILED');
      expect(await ctx.store.users.getById(u.id)).toEqual(before);
      await ctx.engine.auth.authenticate(u.token);
      await ctx.engine.auth.login({ email: u.email, password: u.password });
      expect(signals).toEqual([]);
    });

    // ── password reset ─────────────────────────────────────────────────────────────────────
    test('forgot-password answers the same whatever the email; a known one gets a code', async (ctx) => {
      const u = await ctx.user('Forgot');
      const mails = ctx.mailer.sent.length;
      expect(await ctx.engine.auth.forgotPassword({ email: freshEmail('ghost') })).toBeUndefined();
      expect(ctx.mailer.sent).toHaveLength(mails);
      expect(await ctx.engine.auth.forgotPassword({ email: ` ${u.email.toUpperCase()}` })).toBeUndefined();
      expect(ctx.mailer.sent).toHaveLength(mails + 1);
      expect(ctx.mailer.lastTo(u.email)?.text).toMatch(/\b\d{6}\b/);
      await expectRefusal(ctx.engine.auth.forgotPassword({ email: '' }), 'VALIDATION_FAILED');
    });

    test('reset-password with the code: older tokens revoked, signal, new password works, code used up', async (ctx) => {
      const signals = revocations(ctx);
      const u = await ctx.user('Resetter');
      await ctx.engine.auth.forgotPassword({ email: u.email });
      const code = mailedCode(ctx, u.email);
      await ctx.engine.auth.resetPassword({ email: u.email, code, password: 'reset-password-1' });
      await expectPasswordReplaced(ctx, u, signals, 'reset-password-1');
      await expectRefusal(
        ctx.engine.auth.resetPassword({ email: u.email, code, password: 'reset-password-2' }),
        'VALIDATION_FAILED',
      );
      await ctx.engine.auth.login({ email: u.email, password: 'reset-password-1' });
    });

    test('reset-password refuses a wrong code, a bad password or an unknown email, changing nothing', async (ctx) => {
      const signals = revocations(ctx);
      const u = await ctx.user('Guarded');
      await ctx.engine.auth.forgotPassword({ email: u.email });
      const code = mailedCode(ctx, u.email);
      const before = await ctx.store.users.getById(u.id);
      const error = await expectRefusal(
        ctx.engine.auth.resetPassword({ email: u.email, code: wrong(code), password: 'reset-password-1' }),
        'VALIDATION_FAILED',
      );
      expect(error.message).toBe('Invalid or expired code');
      await expectRefusal(
        ctx.engine.auth.resetPassword({ email: u.email, code, password: 'short' }),
        'VALIDATION_FAILED',
      );
      await expectRefusal(
        ctx.engine.auth.resetPassword({ email: u.email, code, password: 'x'.repeat(73) }),
        'VALIDATION_FAILED',
      );
      await expectRefusal(
        ctx.engine.auth.resetPassword({ email: freshEmail('ghost'), code, password: 'reset-password-1' }),
        'VALIDATION_FAILED',
      );
      await expectRefusal(ctx.engine.auth.resetPassword({ email: u.email } as never), 'VALIDATION_FAILED');
      expect(await ctx.store.users.getById(u.id)).toEqual(before);
      expect(signals).toEqual([]);
      await ctx.engine.auth.authenticate(u.token);
      // The code survived the refusals (one wrong try counted) and still works.
      await ctx.engine.auth.resetPassword({ email: u.email, code, password: 'reset-password-1' });
    });

    test('a reset code is void after max wrong tries and expires after the TTL', async (ctx) => {
      const u = await ctx.user('Locked');
      await ctx.engine.auth.forgotPassword({ email: u.email });
      const code = mailedCode(ctx, u.email);
      for (let i = 0; i < ctx.engine.config.codeMaxAttempts; i++) {
        await expectRefusal(
          ctx.engine.auth.resetPassword({
            email: u.email,
            code: wrong(code),
            password: 'reset-password-1',
          }),
          'VALIDATION_FAILED',
        );
      }
      await expectRefusal(
        ctx.engine.auth.resetPassword({ email: u.email, code, password: 'reset-password-1' }),
        'VALIDATION_FAILED',
      );
      await ctx.engine.auth.forgotPassword({ email: u.email });
      const second = mailedCode(ctx, u.email);
      ctx.clock.advance(15 * MINUTE + 1000);
      await expectRefusal(
        ctx.engine.auth.resetPassword({ email: u.email, code: second, password: 'reset-password-1' }),
        'VALIDATION_FAILED',
      );
      await ctx.engine.auth.login({ email: u.email, password: u.password });
    });

    // ── profile ────────────────────────────────────────────────────────────────────────────
    test('getMe answers the private view; the settings follow PRIVATE_MESSAGE_POLICY', async (ctx) => {
      const u = await ctx.user('Me');
      const me = await ctx.engine.users.getMe(u.id);
      expect(me).toMatchObject({
        id: u.id,
        email: u.email,
        nickname: 'Me',
        emailVerified: true,
        settings: { privateMessagePolicy: 'friends' },
      });
      expect(me).not.toHaveProperty('passwordHash');
      const open = ctx.withConfig({ privateMessagePolicy: 'anyone' });
      expect((await open.users.getMe(u.id)).settings.privateMessagePolicy).toBe('anyone');
    });

    test('updateMe changes the profile and tells the user and their friends with user_updated', async (ctx) => {
      const u = await ctx.user('Before');
      const friend = await ctx.user('Friend');
      const stranger = await ctx.user('Stranger');
      await ctx.befriend(u, friend);
      const me = await ctx.engine.users.updateMe(u.id, {
        nickname: '  After  ',
        avatarUrl: 'https://cdn.example.test/a.png',
        bio: 'hello there',
      });
      expect(me).toMatchObject({
        nickname: 'After',
        avatarUrl: 'https://cdn.example.test/a.png',
        bio: 'hello there',
        email: u.email,
      });
      const events = ctx.eventsNamed('user_updated');
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event?.payload).toEqual(await ctx.engine.users.getProfile(stranger.id, u.id));
      expect(event?.payload).not.toHaveProperty('email');
      expect([...(event?.audience.users ?? [])].sort()).toEqual([u.id, friend.id].sort());
      const cleared = await ctx.engine.users.updateMe(u.id, { avatarUrl: null, bio: null });
      expect(cleared).toMatchObject({ avatarUrl: null, bio: null, nickname: 'After' });
    });

    test('updateMe refuses bad input with VALIDATION_FAILED, changing nothing and telling no one', async (ctx) => {
      const u = await ctx.user('Stable');
      const friend = await ctx.user('Watcher');
      await ctx.befriend(u, friend);
      const before = await ctx.engine.users.getMe(u.id);
      const bad: unknown[] = [
        { nickname: '   ' },
        { nickname: 'n'.repeat(33) },
        { avatarUrl: 'javascript:alert(1)' },
        { avatarUrl: 'not a url' },
        { bio: 'b'.repeat(501) },
        { email: 'new@example.test' },
        { nickname: 42 },
      ];
      for (const input of bad) {
        await expectRefusal(ctx.engine.users.updateMe(u.id, input as never), 'VALIDATION_FAILED');
      }
      expect(await ctx.engine.users.getMe(u.id)).toEqual(before);
      expect(ctx.eventsNamed('user_updated')).toEqual([]);
    });

    test('getProfile answers the public view; NOT_FOUND when unknown or when they blocked the viewer', async (ctx) => {
      const viewer = await ctx.user('Viewer');
      const target = await ctx.user('Target');
      const profile = await ctx.engine.users.getProfile(viewer.id, target.id);
      expect(profile).toEqual({
        id: target.id,
        nickname: 'Target',
        avatarUrl: null,
        bio: null,
        createdAt: ctx.clock.now().toISOString(),
      });
      await expectRefusal(ctx.engine.users.getProfile(viewer.id, 'no-such-user'), 'NOT_FOUND');
      await expectRefusal(ctx.engine.users.getProfile(viewer.id, ''), 'VALIDATION_FAILED');
      // The viewer's own block does not hide the profile from the viewer…
      await ctx.engine.blacklist.add(viewer.id, { userId: target.id });
      await ctx.engine.users.getProfile(viewer.id, target.id);
      // …but the target's block hides the viewer's view of them.
      await ctx.engine.blacklist.add(target.id, { userId: viewer.id });
      await expectRefusal(ctx.engine.users.getProfile(viewer.id, target.id), 'NOT_FOUND');
    });

    test('search: exact email match, or nickname prefix without case', async (ctx) => {
      const viewer = await ctx.user('Seeker');
      const kim = await ctx.user('Kimberly');
      const kip = await ctx.user('kipling');
      await ctx.user('Other');
      const byEmail = await ctx.engine.users.search(viewer.id, { q: ` ${kim.email.toUpperCase()} ` });
      expect(byEmail.map((u) => u.id)).toEqual([kim.id]);
      expect(byEmail[0]).not.toHaveProperty('email');
      const byPrefix = await ctx.engine.users.search(viewer.id, { q: 'KI' });
      expect(byPrefix.map((u) => u.id).sort()).toEqual([kim.id, kip.id].sort());
      // Part of an email is not an email match.
      expect(
        await ctx.engine.users.search(viewer.id, { q: kim.email.slice(kim.email.indexOf('@')) }),
      ).toEqual([]);
      expect(await ctx.engine.users.search(viewer.id, { q: 'zzz-nobody' })).toEqual([]);
    });

    test('search leaves out the viewer and anyone blocked either way', async (ctx) => {
      const viewer = await ctx.user('Pat');
      const visible = await ctx.user('Patricia');
      const iBlocked = await ctx.user('Patrick');
      const blocksMe = await ctx.user('Patty');
      await ctx.engine.blacklist.add(viewer.id, { userId: iBlocked.id });
      await ctx.engine.blacklist.add(blocksMe.id, { userId: viewer.id });
      const found = await ctx.engine.users.search(viewer.id, { q: 'pat' });
      expect(found.map((u) => u.id)).toEqual([visible.id]);
      expect(await ctx.engine.users.search(viewer.id, { q: viewer.email })).toEqual([]);
      expect(await ctx.engine.users.search(viewer.id, { q: blocksMe.email })).toEqual([]);
    });

    test('search answers 50 results by default, at most 100, says hasMore, and refuses bad queries', async (ctx) => {
      const viewer = await ctx.user('Viewer');
      for (let i = 0; i < 53; i++) await ctx.user(`Sam${String(i).padStart(2, '0')}`, { verified: false });
      expect(await ctx.engine.users.search(viewer.id, { q: 'sam' })).toHaveLength(50);
      expect(await ctx.engine.users.search(viewer.id, { q: 'sam', limit: 5 })).toHaveLength(5);
      expect(await ctx.engine.users.search(viewer.id, { q: 'sam', limit: 100 })).toHaveLength(53);
      const page = await ctx.engine.users.searchPage(viewer.id, { q: 'sam', limit: 52 });
      expect(page).toMatchObject({ hasMore: true, nextCursor: null });
      expect(page.items).toHaveLength(52);
      expect((await ctx.engine.users.searchPage(viewer.id, { q: 'sam', limit: 53 })).hasMore).toBe(false);
      await expectRefusal(ctx.engine.users.search(viewer.id, { q: 'sam', limit: 101 }), 'VALIDATION_FAILED');
      await expectRefusal(ctx.engine.users.search(viewer.id, { q: 'sam', limit: 0 }), 'VALIDATION_FAILED');
      await expectRefusal(ctx.engine.users.search(viewer.id, { q: '   ' }), 'VALIDATION_FAILED');
      await expectRefusal(ctx.engine.users.search(viewer.id, {} as never), 'VALIDATION_FAILED');
    });
  });
}
