/** Accounts and sessions: register, verify, login, logout, passwords, token checks. */
import type { EngineContext, Origin } from '../context.js';
import type { AuthResult, PrivateUser } from '../domain/views.js';
import { notImplemented } from '../util/not-implemented.js';

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

export interface AuthService {
  /**
   * Creates an account, sends a verification email (code and link) and answers the user with a
   * token. EMAIL_TAKEN when the email is registered; RATE_LIMITED past the per-email budget.
   */
  register(input: RegisterInput, origin?: Origin): Promise<AuthResult>;
  /** Verifies the email by code or link token. NOT_FOUND/VALIDATION_FAILED on a bad or used code. */
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
  changePassword(userId: string, input: ChangePasswordInput): Promise<{ token: string }>;
  /** Checks a JWT: UNAUTHORIZED when malformed, forged or revoked; TOKEN_EXPIRED when expired. */
  authenticate(token: string): Promise<Session>;
}

export function createAuthService(_ctx: EngineContext): AuthService {
  return {
    register: () => notImplemented('auth.register'),
    verifyEmail: () => notImplemented('auth.verifyEmail'),
    resendVerification: () => notImplemented('auth.resendVerification'),
    login: () => notImplemented('auth.login'),
    logout: () => notImplemented('auth.logout'),
    logoutAll: () => notImplemented('auth.logoutAll'),
    forgotPassword: () => notImplemented('auth.forgotPassword'),
    resetPassword: () => notImplemented('auth.resetPassword'),
    changePassword: () => notImplemented('auth.changePassword'),
    authenticate: () => notImplemented('auth.authenticate'),
  };
}
