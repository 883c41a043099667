/** Accounts and sessions: register, verify, login, logout, passwords, token checks. */
import type { EngineContext, Origin } from '../context.js';
import { toPrivateUser } from '../domain/mappers.js';
import { DEFAULT_PRIVACY, type UserRecord } from '../domain/records.js';
import type { AuthResult, PrivateUser } from '../domain/views.js';
import { ChatError, rateLimitedError } from '../errors.js';
import type { MailMessage } from '../ports/mailer.js';
import type { RateRule } from '../ports/rate-limiter.js';
import { parseInput } from '../util/validate.js';
import { checkCode, checkLinkToken, consumeCode, invalidCode, issueCode } from './codes.js';
import { passwordResetEmail, verificationEmail } from './emails.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import {
  changePasswordSchema,
  emailOnlySchema,
  loginSchema,
  registerSchema,
  resetPasswordSchema,
  verifyEmailSchema,
} from './schemas.js';
import type { SessionService } from './session-service.js';
import { issueToken, verifyToken } from './tokens.js';

/** An authenticated session, decoded from a valid, unrevoked JWT. */
export interface Session {
  userId: string;
  /** The token's id (`jti`), used to revoke exactly this token. */
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface RegisterInput {
  email: string;
  password: string;
  nickname: string;
}

export type VerifyEmailInput = { email: string; code: string } | { token: string };

export interface LoginInput {
  email: string;
  password: string;
}

export interface ResetPasswordInput {
  email: string;
  code: string;
  password: string;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/** Accounts and sessions: `engine.auth`. */
export interface AuthService {
  /**
   * Creates an account, sends a verification email (code and link) and answers the user with a
   * token. EMAIL_TAKEN when the email is registered; RATE_LIMITED past the per-email budget.
   */
  register(input: RegisterInput, origin?: Origin): Promise<AuthResult>;
  /**
   * Verifies the email by code or link token. VALIDATION_FAILED ("Invalid or expired code") on a
   * wrong, expired, used or voided code or link, and for an unknown email alike.
   */
  verifyEmail(input: VerifyEmailInput): Promise<{ user: PrivateUser }>;
  /** Sends a new verification code when the email belongs to an unverified account; silent otherwise. */
  resendVerification(input: { email: string }, origin?: Origin): Promise<void>;
  /**
   * Answers a token for the right email and password. INVALID_CREDENTIALS for an unknown email or a
   * wrong password alike (same message, about the same time); EMAIL_NOT_VERIFIED when required.
   */
  login(input: LoginInput, origin?: Origin): Promise<AuthResult>;
  /** Revokes this session's token and signals its connections to close. */
  logout(session: Session): Promise<void>;
  /** Revokes every token of the user. */
  logoutAll(userId: string): Promise<void>;
  /** Sends a reset code when the email is registered; silent otherwise. */
  forgotPassword(input: { email: string }, origin?: Origin): Promise<void>;
  /** Sets a new password with a valid reset code; every older token is revoked. */
  resetPassword(input: ResetPasswordInput): Promise<void>;
  /** Changes the password (INVALID_CREDENTIALS when the current one is wrong); older tokens are revoked. */
  changePassword(userId: string, input: ChangePasswordInput, origin?: Origin): Promise<{ token: string }>;
  /**
   * Checks a JWT: UNAUTHORIZED when malformed, forged or revoked; TOKEN_EXPIRED when expired. A
   * valid token's session is marked as seen (at most once a minute, without delaying the answer).
   */
  authenticate(token: string, origin?: Origin): Promise<Session>;
}

/** Builds `engine.auth` over the engine's context. */
export function createAuthService(ctx: EngineContext, sessions: SessionService): AuthService {
  const { store, config } = ctx;

  /** Signs a token for the user and records its session (the device's list entry). */
  const signIn = async (user: UserRecord, origin: Origin | undefined): Promise<string> => {
    const { token, session } = issueToken(ctx, user);
    await sessions.start(session, origin);
    return token;
  };
  const privateView = (user: UserRecord) => toPrivateUser(user, config.privateMessagePolicy);

  const limit = async (key: string, rule: RateRule) => {
    const decision = await ctx.rateLimiter.consume(key, rule);
    if (!decision.allowed) throw rateLimitedError(decision.retryAfterMs);
  };

  // A mail that cannot leave is logged and never fails the request: the user can ask again, and
  // resend/forgot must answer the same whatever happened.
  const send = async (message: MailMessage, kind: string) => {
    try {
      await ctx.mailer.send(message);
    } catch (error) {
      ctx.logger.error({ err: error, kind }, 'sending an email failed');
    }
  };

  const sendVerification = async (user: UserRecord) => {
    const { code, linkToken } = await issueCode(ctx, user.id, 'verify_email', { withLink: true });
    await send(verificationEmail(config, user, code, linkToken ?? ''), 'verify_email');
  };

  /** Revokes every token of the user issued so far and tells the transport to drop their sockets. */
  const revokeAll = async (userId: string): Promise<UserRecord | null> => {
    const user = await store.users.bumpTokenVersion(userId, ctx.clock.now());
    if (user) {
      await store.sessions.deleteAllOfUser(userId);
      await store.pushSubscriptions.deleteAllOfUser(userId);
      ctx.signal('session_revoked', { userId });
    }
    return user;
  };

  return {
    async register(input, origin) {
      const { email, password, nickname } = parseInput(registerSchema, input);
      await limit(`mail:${email}`, config.registerRateLimit);
      if (await store.users.getByEmail(email)) throw new ChatError('EMAIL_TAKEN');
      const passwordHash = await hashPassword(password, config.bcryptCost);
      const now = ctx.clock.now();
      const user = await store.users.create({
        id: ctx.ids.next(),
        email,
        passwordHash,
        nickname,
        avatarUrl: null,
        bio: null,
        emailVerified: false,
        tokenVersion: 0,
        inviteVersion: 0,
        lastSeenAt: null,
        privacy: { ...DEFAULT_PRIVACY },
        createdAt: now,
        updatedAt: now,
      });
      await sendVerification(user);
      return { user: privateView(user), token: await signIn(user, origin) };
    },

    async verifyEmail(input) {
      const parsed = parseInput(verifyEmailSchema, input);
      let userId: string;
      let record: Awaited<ReturnType<typeof checkCode>>;
      if ('token' in parsed) {
        record = await checkLinkToken(ctx, parsed.token);
        userId = record.userId;
      } else {
        const user = await store.users.getByEmail(parsed.email);
        if (!user) throw invalidCode();
        record = await checkCode(ctx, user.id, 'verify_email', parsed.code);
        userId = user.id;
      }
      await consumeCode(ctx, record);
      const user = await store.users.update(userId, { emailVerified: true, updatedAt: ctx.clock.now() });
      if (!user) throw invalidCode();
      return { user: privateView(user) };
    },

    async resendVerification(input, _origin) {
      const { email } = parseInput(emailOnlySchema, input);
      await limit(`mail:${email}`, config.registerRateLimit);
      const user = await store.users.getByEmail(email);
      if (user && !user.emailVerified) await sendVerification(user);
    },

    async login(input, origin) {
      const { email, password } = parseInput(loginSchema, input);
      // Per email *and* address: wrong passwords from elsewhere never lock the owner out.
      const key = `login:${email}:${origin?.ip ?? 'unknown'}`;
      await limit(key, config.loginRateLimit);
      const user = await store.users.getByEmail(email);
      if (!user) {
        await burnPasswordCheck(password, config.bcryptCost);
        throw new ChatError('INVALID_CREDENTIALS');
      }
      if (!(await verifyPassword(password, user.passwordHash))) throw new ChatError('INVALID_CREDENTIALS');
      if (config.requireVerifiedEmail && !user.emailVerified) throw new ChatError('EMAIL_NOT_VERIFIED');
      await ctx.rateLimiter.reset(key);
      return { user: privateView(user), token: await signIn(user, origin) };
    },

    async logout(session) {
      await store.authTokens.revokeToken(session.jti, session.expiresAt);
      await store.sessions.delete(session.userId, session.jti);
      await store.pushSubscriptions.deleteBySession(session.jti);
      ctx.signal('session_revoked', { userId: session.userId, jti: session.jti });
    },

    async logoutAll(userId) {
      await revokeAll(userId);
    },

    async forgotPassword(input, _origin) {
      const { email } = parseInput(emailOnlySchema, input);
      await limit(`reset:${email}`, config.registerRateLimit);
      const user = await store.users.getByEmail(email);
      if (!user) return;
      const { code } = await issueCode(ctx, user.id, 'reset_password', { withLink: false });
      await send(passwordResetEmail(config, user, code), 'reset_password');
    },

    async resetPassword(input) {
      const { email, code, password } = parseInput(resetPasswordSchema, input);
      const user = await store.users.getByEmail(email);
      if (!user) throw invalidCode();
      const record = await checkCode(ctx, user.id, 'reset_password', code);
      const passwordHash = await hashPassword(password, config.bcryptCost);
      await consumeCode(ctx, record);
      // Revoke first: should the next write fail, the worst outcome is a forced re-login.
      await revokeAll(user.id);
      // The code arrived by email, so the address is proven too.
      await store.users.update(user.id, { passwordHash, emailVerified: true, updatedAt: ctx.clock.now() });
    },

    async changePassword(userId, input, origin) {
      const { currentPassword, newPassword } = parseInput(changePasswordSchema, input);
      const user = await store.users.getById(userId);
      if (!user) throw new ChatError('UNAUTHORIZED');
      await limit(`password:${user.id}`, config.loginRateLimit);
      if (!(await verifyPassword(currentPassword, user.passwordHash))) {
        throw new ChatError('INVALID_CREDENTIALS', 'The current password is wrong');
      }
      const passwordHash = await hashPassword(newPassword, config.bcryptCost);
      const bumped = await revokeAll(user.id);
      if (!bumped) throw new ChatError('UNAUTHORIZED');
      const updated = await store.users.update(user.id, { passwordHash, updatedAt: ctx.clock.now() });
      return { token: await signIn(updated ?? bumped, origin) };
    },

    async authenticate(token, origin) {
      const session = await verifyToken(ctx, token);
      sessions.touch(session, origin).catch((error: unknown) => {
        ctx.logger.warn({ err: error }, 'recording session activity failed');
      });
      return session;
    },
  };
}
