/** REST: accounts and sessions (`/api/auth/*`). */
import type { AuthResult, PrivateUser, SessionView } from '@parley/chat-core';
import { type HttpClient, segment } from './http.js';

/** `/api/auth/*`. Register, login and the code routes need no token. */
export interface AuthApi {
  /** `POST /api/auth/register`: the new account and its token (201). Sends a verification email. */
  register(input: { email: string; password: string; nickname: string }): Promise<AuthResult>;
  /** `POST /api/auth/login`: a token. Refused with INVALID_CREDENTIALS or EMAIL_NOT_VERIFIED. */
  login(input: { email: string; password: string }): Promise<AuthResult>;
  /** `POST /api/auth/verify-email` with the 6-digit code or the link's token. */
  verifyEmail(input: { email: string; code: string } | { token: string }): Promise<{ user: PrivateUser }>;
  /** `POST /api/auth/resend-verification`: answers the same whatever the email. */
  resendVerification(input: { email: string }): Promise<void>;
  /** `POST /api/auth/logout`: revokes this token and disconnects its sockets. */
  logout(): Promise<void>;
  /** `POST /api/auth/logout-all`: revokes every token of the user ("sign out everywhere"). */
  logoutAll(): Promise<void>;
  /** `POST /api/auth/password/forgot`: sends a reset code when the email is registered. */
  forgotPassword(input: { email: string }): Promise<void>;
  /** `POST /api/auth/password/reset`: every older token is revoked. */
  resetPassword(input: { email: string; code: string; password: string }): Promise<void>;
  /**
   * `GET /api/auth/sessions`: the user's signed-in devices, most recently seen first; `current`
   * marks this token's own. `userAgent` is null for a device that sent none, `ip` is there only
   * when the server can tell it (behind a trusted proxy).
   */
  sessions(): Promise<{ sessions: SessionView[] }>;
  /**
   * `DELETE /api/auth/sessions/:id`: signs that device out (its token is revoked, its sockets are
   * disconnected and its client goes `unauthorized`). Ending the current session is a logout.
   * NOT_FOUND when the id is not one of the user's live sessions.
   */
  revokeSession(sessionId: string): Promise<void>;
}

/** Creates the {@link AuthApi} over `http`. */
export function authApi(http: HttpClient): AuthApi {
  return {
    register: (input) => http.request('POST', '/api/auth/register', { body: input, auth: false }),
    login: (input) => http.request('POST', '/api/auth/login', { body: input, auth: false }),
    verifyEmail: (input) => http.request('POST', '/api/auth/verify-email', { body: input, auth: false }),
    resendVerification: (input) =>
      http.request('POST', '/api/auth/resend-verification', { body: input, auth: false }),
    logout: () => http.request('POST', '/api/auth/logout'),
    logoutAll: () => http.request('POST', '/api/auth/logout-all'),
    forgotPassword: (input) =>
      http.request('POST', '/api/auth/password/forgot', { body: input, auth: false }),
    resetPassword: (input) => http.request('POST', '/api/auth/password/reset', { body: input, auth: false }),
    sessions: () => http.request('GET', '/api/auth/sessions'),
    revokeSession: (id) => http.request('DELETE', `/api/auth/sessions/${segment(id)}`),
  };
}
