/** REST: invite tokens (from QR codes) and the health check. */
import type { InviteRedemption, InviteView } from '@parley/chat-core';
import { type HttpClient, segment } from './http.js';

/** `/api/invites/*`. */
export interface InvitesApi {
  /** `GET /api/invites/:token`: what the token points at, without redeeming it. */
  get(token: string): Promise<InviteView>;
  /** `POST /api/invites/:token/redeem`: a friend request (user) or a join past approval (group). */
  redeem(token: string): Promise<InviteRedemption>;
}

/** `GET /health`. */
export interface HealthView {
  status: 'ok' | 'degraded';
  uptime: number;
  store: 'up' | 'down';
}

/** Creates the {@link InvitesApi} over `http`. */
export function invitesApi(http: HttpClient): InvitesApi {
  return {
    get: (token) => http.request('GET', `/api/invites/${segment(token)}`),
    redeem: (token) => http.request('POST', `/api/invites/${segment(token)}/redeem`),
  };
}

/** `GET /health` (no token); a 503 answers its body too, with `store: 'down'`. */
export async function health(http: HttpClient): Promise<HealthView> {
  return http.request<HealthView>('GET', '/health', { auth: false });
}

/** Takes the token out of an invite URL (`${PUBLIC_URL}/invite/<token>`), or null. */
export function inviteTokenFromUrl(url: string): string | null {
  const match = /\/invite\/([^/?#]+)/.exec(url);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}
