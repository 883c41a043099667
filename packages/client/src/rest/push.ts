/** REST: whether the server sends Web Push, and the key browsers subscribe with (`/api/push/*`). */
import type { PushConfigView } from '@parley/chat-core';
import type { HttpClient } from './http.js';

/**
 * `GET /api/push/config`: `enabled` when the server has VAPID keys; `publicKey` is the key for
 * `pushManager.subscribe({ applicationServerKey })` (base64url), null when push is off.
 */
export type PushConfig = PushConfigView;

/** `/api/push/*`. Subscriptions themselves are the user's: `rest.users.addPushSubscription`. */
export interface PushApi {
  /** `GET /api/push/config` (needs a token). */
  config(): Promise<PushConfig>;
}

/** Creates the {@link PushApi} over `http`. */
export function pushApi(http: HttpClient): PushApi {
  return {
    config: () => http.request('GET', '/api/push/config'),
  };
}
