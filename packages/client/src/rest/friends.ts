/** REST: friends, friend requests and the blacklist. */
import type { FriendRequestView, FriendView, PublicUser } from '@parley/chat-core';
import { type HttpClient, segment } from './http.js';
import type { CursorPage, PageQuery } from './pages.js';

/** `/api/friends/*`. */
export interface FriendsApi {
  /** `GET /api/friends`: oldest friendship first, with presence. */
  list(page?: PageQuery): Promise<CursorPage<'friends', FriendView>>;
  /**
   * `POST /api/friends/add` by id or email. A request to someone who already asked makes you
   * friends at once: the answer then carries `friend`.
   */
  add(
    input: ({ userId: string } | { email: string }) & { message?: string },
  ): Promise<{ request: FriendRequestView; friend?: FriendView }>;
  /** `GET /api/friends/requests`: pending requests, newest first. @default direction incoming */
  requests(
    query?: PageQuery & { direction?: 'incoming' | 'outgoing' },
  ): Promise<CursorPage<'requests', FriendRequestView>>;
  /** `POST /api/friends/requests/:id/accept`: only the recipient may. */
  accept(requestId: string): Promise<{ friend: FriendView }>;
  /** `POST /api/friends/requests/:id/reject`. */
  reject(requestId: string): Promise<void>;
  /** `DELETE /api/friends/:userId`: history survives. */
  remove(userId: string): Promise<void>;
}

/** `/api/blacklist`. */
export interface BlacklistApi {
  /** `GET /api/blacklist`. */
  list(page?: PageQuery): Promise<CursorPage<'users', PublicUser>>;
  /** `POST /api/blacklist`: idempotent; pending requests between the two are dropped. */
  add(userId: string): Promise<{ userId: string }>;
  /** `DELETE /api/blacklist/:userId`: NOT_FOUND when there was no block. */
  remove(userId: string): Promise<void>;
}

/** Creates the {@link FriendsApi} over `http`. */
export function friendsApi(http: HttpClient): FriendsApi {
  return {
    list: (page = {}) => http.request('GET', '/api/friends', { query: { ...page } }),
    add: (input) => http.request('POST', '/api/friends/add', { body: input }),
    requests: (query = {}) => http.request('GET', '/api/friends/requests', { query: { ...query } }),
    accept: (id) => http.request('POST', `/api/friends/requests/${segment(id)}/accept`),
    reject: (id) => http.request('POST', `/api/friends/requests/${segment(id)}/reject`),
    remove: (userId) => http.request('DELETE', `/api/friends/${segment(userId)}`),
  };
}

/** Creates the {@link BlacklistApi} over `http`. */
export function blacklistApi(http: HttpClient): BlacklistApi {
  return {
    list: (page = {}) => http.request('GET', '/api/blacklist', { query: { ...page } }),
    add: (userId) => http.request('POST', '/api/blacklist', { body: { userId } }),
    remove: (userId) => http.request('DELETE', `/api/blacklist/${segment(userId)}`),
  };
}
