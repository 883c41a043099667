/** Every REST route of the contract, one namespace per area. */
import { type AuthApi, authApi } from './auth.js';
import { type BlacklistApi, blacklistApi, type FriendsApi, friendsApi } from './friends.js';
import { type GroupsApi, groupsApi } from './groups.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from './http.js';
import { type HealthView, health, type InvitesApi, invitesApi } from './invites.js';
import { type ConversationsApi, conversationsApi, type MessagesApi, messagesApi } from './messages.js';
import { type PushApi, pushApi } from './push.js';
import { type UsersApi, usersApi } from './users.js';

/** The REST helpers: typed, each failure a `ParleyError` with the contract's code. */
export interface ParleyRest {
  auth: AuthApi;
  users: UsersApi;
  friends: FriendsApi;
  blacklist: BlacklistApi;
  conversations: ConversationsApi;
  messages: MessagesApi;
  groups: GroupsApi;
  invites: InvitesApi;
  push: PushApi;
  /** `GET /health`. */
  health(): Promise<HealthView>;
}

/** Builds every namespace over one {@link HttpClient}. */
export function restOver(http: HttpClient): ParleyRest {
  return {
    auth: authApi(http),
    users: usersApi(http),
    friends: friendsApi(http),
    blacklist: blacklistApi(http),
    conversations: conversationsApi(http),
    messages: messagesApi(http),
    groups: groupsApi(http),
    invites: invitesApi(http),
    push: pushApi(http),
    health: () => health(http),
  };
}

/** Options of {@link createParleyRest}. */
export interface ParleyRestOptions extends Omit<HttpClientOptions, 'getToken'> {
  /** A token, or a function answering the current one. @default none */
  token?: string | (() => string | null) | undefined;
}

/**
 * The REST helpers alone, without a realtime session: for scripts, servers and sign-up screens.
 *
 * ```ts
 * const rest = createParleyRest({ url: 'http://localhost:3000' });
 * const { token } = await rest.auth.login({ email, password });
 * ```
 */
export function createParleyRest(options: ParleyRestOptions): ParleyRest {
  const token = options.token;
  return restOver(
    createHttpClient({
      ...options,
      getToken: typeof token === 'function' ? token : () => token ?? null,
    }),
  );
}
