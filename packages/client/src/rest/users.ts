/** REST: profiles, settings, QR codes of the user, push subscriptions (`/api/users/*`). */
import type { PrivateUser, PublicUser, QrCodeView } from '@parley/chat-core';
import { type HttpClient, segment } from './http.js';
import type { CursorPage, PageQuery } from './pages.js';

/**
 * A Web Push subscription, as `PushSubscription.toJSON()` gives it: an https `endpoint`, the
 * browser's P-256 key and auth secret (base64url). `subscribeToPush` sends it for you.
 */
export interface PushSubscriptionInput {
  endpoint: string;
  /** Usually null; accepted and not needed. @default none */
  expirationTime?: number | null;
  keys: { p256dh: string; auth: string };
}

/** `PUT /api/users/me/settings`: each setting left out stays as it is. */
export interface PrivacySettingsInput {
  /** Friends see when the user was last online. @default unchanged */
  showLastSeen?: boolean;
  /** Read receipts are sent; when off, none are received either. @default unchanged */
  sendReadReceipts?: boolean;
  /** Friends see the user online; when off the user looks offline to them. @default unchanged */
  showOnline?: boolean;
  /** Push notifications show a preview of the text (else "New message"). @default unchanged */
  pushPreviews?: boolean;
}

/** `/api/users/*`. */
export interface UsersApi {
  /** `GET /api/users/me`: the caller's private view. */
  me(): Promise<{ user: PrivateUser }>;
  /** `PUT /api/users/me`: `null` or `''` clears avatar or bio; friends get `user_updated`. */
  updateMe(input: {
    nickname?: string;
    avatarUrl?: string | null;
    bio?: string | null;
  }): Promise<{ user: PrivateUser }>;
  /** `PUT /api/users/me/password`: a fresh token; every older one (this client's too) is revoked. */
  changePassword(input: { currentPassword: string; newPassword: string }): Promise<{ token: string }>;
  /**
   * `PUT /api/users/me/settings`: answers the private view with every setting in `user.settings`.
   * Friends see a presence change at once (hiding "online" looks like going offline).
   */
  updateSettings(input: PrivacySettingsInput): Promise<{ user: PrivateUser }>;
  /** `GET /api/users/:id`: NOT_FOUND when unknown or when they blocked the caller. */
  get(userId: string): Promise<{ user: PublicUser }>;
  /** `GET /api/users/search?q=`: exact email or nickname prefix. */
  search(q: string, page?: PageQuery): Promise<CursorPage<'users', PublicUser>>;
  /** `GET /api/users/me/qrcode`: the caller's friend QR code, stable until rotated. */
  qrCode(format?: 'png' | 'svg'): Promise<QrCodeView>;
  /** `POST /api/users/me/qrcode/rotate`: a new code; the old token answers INVITE_EXPIRED. */
  rotateQrCode(format?: 'png' | 'svg'): Promise<QrCodeView>;
  /**
   * `POST /api/users/me/push-subscriptions` (201): stores this browser's subscription and answers
   * its id; the same endpoint again keeps its id. VALIDATION_FAILED for a malformed subscription
   * (not https, keys of the wrong size).
   */
  addPushSubscription(subscription: PushSubscriptionInput): Promise<{ id: string }>;
  /** `DELETE /api/users/me/push-subscriptions/:id` (204); NOT_FOUND when it is not the user's. */
  removePushSubscription(id: string): Promise<void>;
}

/** Creates the {@link UsersApi} over `http`. */
export function usersApi(http: HttpClient): UsersApi {
  return {
    me: () => http.request('GET', '/api/users/me'),
    updateMe: (input) => http.request('PUT', '/api/users/me', { body: input }),
    changePassword: (input) => http.request('PUT', '/api/users/me/password', { body: input }),
    updateSettings: (input) => http.request('PUT', '/api/users/me/settings', { body: input }),
    get: (userId) => http.request('GET', `/api/users/${segment(userId)}`),
    search: (q, page = {}) => http.request('GET', '/api/users/search', { query: { q, ...page } }),
    qrCode: (format) => http.request('GET', '/api/users/me/qrcode', { query: { format } }),
    rotateQrCode: (format) => http.request('POST', '/api/users/me/qrcode/rotate', { query: { format } }),
    addPushSubscription: (subscription) =>
      http.request('POST', '/api/users/me/push-subscriptions', { body: subscription }),
    removePushSubscription: (id) => http.request('DELETE', `/api/users/me/push-subscriptions/${segment(id)}`),
  };
}
