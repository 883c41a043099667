/**
 * The app's state: the signed-in session (token kept in localStorage, so a reload keeps it), the
 * `@parley/client` instance, and what the screens list (friends, requests, groups, people). Screens
 * re-render through `useApp()` whenever the client or this state changes.
 */
import {
  conversationPartner,
  createParleyClient,
  createParleyRest,
  type FriendRequestView,
  type FriendView,
  type GroupMemberView,
  type GroupView,
  localStorageOutbox,
  type ParleyClient,
  type PrivateUser,
  type PublicUser,
} from '@parley/client';
import { useEffect, useState } from 'preact/hooks';
import { plainWords } from './errors.js';
import { releasePush, resumePush } from './push.js';

const TOKEN_KEY = 'parley:token';
const USER_KEY = 'parley:user';
const HIDDEN_KEY = 'parley:hidden';

/** A screen the main view shows. */
export type View =
  | { name: 'chats' }
  | { name: 'people' }
  | { name: 'me' }
  | { name: 'settings' }
  | { name: 'chat'; conversationId: string }
  | { name: 'thread'; conversationId: string; messageId: string }
  | { name: 'group-info'; groupId: string }
  | { name: 'new-group' }
  | { name: 'invite'; token: string };

export interface AppState {
  token: string | null;
  me: PrivateUser | null;
  client: ParleyClient | null;
  view: View;
  friends: FriendView[];
  incoming: FriendRequestView[];
  outgoing: FriendRequestView[];
  blocked: PublicUser[];
  groups: Map<string, GroupView>;
  members: Map<string, GroupMemberView[]>;
  users: Map<string, PublicUser>;
  /** Conversations where someone mentioned me since I last opened them. */
  mentioned: Set<string>;
  /** Messages deleted for me: hidden at once, and kept hidden while history is reloaded. */
  hidden: Set<string>;
  /** A short notice at the top (an error in plain words, or a confirmation). */
  notice: { text: string; kind: 'error' | 'info' } | null;
  /** The message being edited in place, if any. */
  editing: string | null;
}

const listeners = new Set<() => void>();
let version = 0;

export const state: AppState = {
  token: localStorage.getItem(TOKEN_KEY),
  me: readJson<PrivateUser>(USER_KEY),
  client: null,
  view: { name: 'chats' },
  friends: [],
  incoming: [],
  outgoing: [],
  blocked: [],
  groups: new Map(),
  members: new Map(),
  users: new Map(),
  mentioned: new Set(),
  hidden: new Set(readJson<string[]>(HIDDEN_KEY) ?? []),
  notice: null,
  editing: null,
};

function readJson<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

/** Re-renders every screen that uses {@link useApp}. */
export function changed(): void {
  version += 1;
  for (const listener of listeners) listener();
}

/** The state, re-rendering the caller on every change (batched per animation frame). */
export function useApp(): AppState {
  const [, setVersion] = useState(version);
  useEffect(() => {
    let frame = 0;
    const listener = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion(version);
      });
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      cancelAnimationFrame(frame);
    };
  }, []);
  return state;
}

export function navigate(view: View): void {
  state.view = view;
  if (view.name === 'chat') state.mentioned.delete(view.conversationId);
  const path = view.name === 'invite' ? `/invite/${encodeURIComponent(view.token)}` : '/';
  // Also drops a notification's `?conversation=`, so a reload does not go back to that chat.
  if (location.pathname + location.search !== path) history.replaceState(null, '', path);
  changed();
}

/** The conversation a notification's URL (`/?conversation=<id>`) asks for, when it is one. */
export function conversationFromUrl(search: string): string | null {
  const id = new URLSearchParams(search).get('conversation');
  return id && conversationPartner(id, null) !== null ? id : null;
}

export function notify(text: string, kind: 'error' | 'info' = 'info'): void {
  const notice = { text, kind };
  state.notice = notice;
  changed();
  // Confirmations go away by themselves; errors stay until dismissed.
  if (kind === 'info')
    setTimeout(() => {
      if (state.notice === notice) {
        state.notice = null;
        changed();
      }
    }, 4000);
}

/** REST without a session: register, login, verify. */
export const anonymousRest = createParleyRest({ url: location.origin });

export function rememberUsers(users: Iterable<PublicUser>): void {
  for (const user of users) state.users.set(user.id, user);
}

/** A user's name as far as we know it. */
export function nameOf(userId: string): string {
  if (userId === state.me?.id) return 'You';
  return state.users.get(userId)?.nickname ?? 'Someone';
}

/** Keeps a fresh private view of me (settings included) for this session and the next reload. */
export function saveMe(user: PrivateUser): void {
  state.me = user;
  localStorage.setItem(USER_KEY, JSON.stringify(user));
  rememberUsers([user]);
  changed();
}

/** Starts the session: the client connects, resumes, and the lists load. */
export function signIn(token: string, me: PrivateUser): void {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(USER_KEY, JSON.stringify(me));
  state.token = token;
  state.me = me;
  state.notice = null;
  startClient();
}

/** While signing out, the session ending under us (logout-all) is expected, not news. */
let signingOut = false;

/**
 * Signs out this browser (`everywhere`: every device of the account, with logout-all). This
 * browser's notifications stop first, while the token still works; after a session ended
 * elsewhere only the browser's side of that can be done, and the server drops the rest itself.
 */
export async function signOut(options: { everywhere?: boolean; ended?: boolean } = {}): Promise<void> {
  const client = state.client;
  signingOut = true;
  // A session ended elsewhere has a dead token: nothing to tell the server, only the browser.
  if (client && state.me) await releasePush(client, state.me.id, { server: !options.ended });
  try {
    if (!options.ended) {
      if (options.everywhere) await client?.rest.auth.logoutAll();
      else await client?.rest.auth.logout();
    }
  } catch {
    // Signing out locally is what matters; the token dies with its expiry anyway.
  }
  signingOut = false;
  await client?.close();
  for (const key of [TOKEN_KEY, USER_KEY, HIDDEN_KEY]) localStorage.removeItem(key);
  Object.assign(state, {
    token: null,
    me: null,
    client: null,
    view: { name: 'chats' },
    friends: [],
    incoming: [],
    outgoing: [],
    blocked: [],
    groups: new Map(),
    members: new Map(),
    users: new Map(),
    mentioned: new Set(),
    hidden: new Set(),
    notice: null,
    editing: null,
  } satisfies Partial<AppState>);
  changed();
}

export function hideMessage(messageId: string): void {
  state.hidden.add(messageId);
  localStorage.setItem(HIDDEN_KEY, JSON.stringify([...state.hidden].slice(-2000)));
  changed();
}

export function startClient(): void {
  if (!state.token || !state.me || state.client) return;
  const client = createParleyClient({
    url: location.origin,
    token: state.token,
    storage: localStorageOutbox({ key: `parley:outbox:${state.me.id}` }),
    refreshToken: () => null,
  });
  state.client = client;
  rememberUsers([state.me]);
  void resumePush(client, state.me.id);
  for (const event of [
    'message:added',
    'message:changed',
    'conversation:updated',
    'outbox',
    'typing',
    'presence',
  ] as const)
    client.on(event, changed);
  client.on('conversation:updated', ({ conversation }) => {
    const summary = conversation.summary;
    if (summary?.peer) rememberUsers([summary.peer]);
    if (summary?.mentioned && conversation.unreadCount > 0) state.mentioned.add(conversation.id);
  });
  client.on('connection', ({ state: connection }) => {
    if (connection === 'unauthorized') {
      if (signingOut || state.client !== client) return;
      void signOut({ ended: true }).then(() =>
        notify('Your session has ended. Please sign in again.', 'error'),
      );
      return;
    }
    changed();
  });
  client.on('resumed', () => {
    void refreshAll();
  });
  client.onServer('mention', ({ groupId }) => {
    const id = client.groupConversation(groupId);
    if (!(state.view.name === 'chat' && state.view.conversationId === id)) state.mentioned.add(id);
    changed();
  });
  const friendsChanged = () => void Promise.all([refreshFriends(), refreshRequests()]);
  for (const event of [
    'friend_request',
    'friend_request_accepted',
    'friend_request_rejected',
    'friend_removed',
  ] as const)
    client.onServer(event, friendsChanged);
  client.onServer('user_updated', (user) => {
    rememberUsers([user]);
    changed();
  });
  const groupChanged = ({ groupId }: { groupId: string }) => {
    void refreshGroup(groupId);
  };
  for (const event of [
    'group_updated',
    'group_member_joined',
    'group_member_left',
    'group_member_removed',
    'group_member_muted',
    'group_announcement_updated',
  ] as const)
    client.onServer(event, groupChanged);
  client.onServer('group_dissolved', ({ groupId }) => {
    state.groups.delete(groupId);
    changed();
  });
  // The SDK reconnects with backoff; when the browser says the network is back, try at once.
  addEventListener('online', () => {
    if (state.client === client && !client.socket.connected) client.socket.disconnect().connect();
  });
  changed();
}

export async function refreshFriends(): Promise<void> {
  const client = state.client;
  if (!client) return;
  const { friends } = await client.rest.friends.list({ limit: 100 });
  state.friends = friends;
  rememberUsers(friends.map((friend) => friend.user));
  changed();
}

export async function refreshRequests(): Promise<void> {
  const client = state.client;
  if (!client) return;
  const [incoming, outgoing] = await Promise.all([
    client.rest.friends.requests({ direction: 'incoming', limit: 100 }),
    client.rest.friends.requests({ direction: 'outgoing', limit: 100 }),
  ]);
  state.incoming = incoming.requests;
  state.outgoing = outgoing.requests;
  rememberUsers([...incoming.requests.map((r) => r.from), ...outgoing.requests.map((r) => r.to)]);
  changed();
}

export async function refreshBlocked(): Promise<void> {
  const client = state.client;
  if (!client) return;
  state.blocked = (await client.rest.blacklist.list({ limit: 100 })).users;
  changed();
}

export async function refreshGroups(): Promise<void> {
  const client = state.client;
  if (!client) return;
  const { groups } = await client.rest.groups.list({ limit: 100 });
  state.groups = new Map(groups.map((group) => [group.id, group]));
  changed();
}

export async function refreshGroup(groupId: string): Promise<void> {
  const client = state.client;
  if (!client) return;
  try {
    const { group } = await client.rest.groups.get(groupId);
    if ('ownerId' in group) state.groups.set(groupId, group);
    const { members } = await client.rest.groups.members(groupId, { limit: 100 });
    state.members.set(groupId, members);
    rememberUsers(members.map((member) => member.user));
  } catch {
    // No longer a member (kicked, left): the group leaves the list.
    state.groups.delete(groupId);
    state.members.delete(groupId);
  }
  changed();
}

export async function refreshAll(): Promise<void> {
  await Promise.allSettled([refreshFriends(), refreshRequests(), refreshGroups(), refreshBlocked()]);
}

/** A friend's presence: live from the SDK once heard, else as the friends list gave it. */
export function presenceOf(
  userId: string,
): { status: 'online' | 'offline'; lastSeenAt: string | null } | undefined {
  const live = state.client?.presence(userId);
  if (live) return live;
  const friend = state.friends.find((f) => f.user.id === userId);
  return friend ? { status: friend.online ? 'online' : 'offline', lastSeenAt: friend.lastSeenAt } : undefined;
}

/** The name of a conversation: the peer's nickname or the group's name. */
export function conversationName(conversationId: string): string {
  const client = state.client;
  if (!client) return '';
  if (conversationId.startsWith('g:')) {
    const groupId = conversationId.slice(2);
    return (
      state.groups.get(groupId)?.name ?? client.conversation(conversationId)?.summary?.group?.name ?? 'Group'
    );
  }
  const peerId = client.conversation(conversationId)?.peerId ?? peerOf(conversationId);
  return peerId ? nameOf(peerId) : '';
}

/** The other user of a private conversation id. */
export function peerOf(conversationId: string): string | null {
  const parts = conversationId.split(':');
  if (parts[0] !== 'p' || parts.length !== 3) return null;
  return parts[1] === state.me?.id ? (parts[2] ?? null) : (parts[1] ?? null);
}

/** Runs an action, showing a failure in plain words. Answers whether it succeeded. */
export async function attempt(action: () => Promise<unknown>, done?: string): Promise<boolean> {
  try {
    await action();
    if (done) notify(done);
    return true;
  } catch (error) {
    notify(plainWords(error), 'error');
    return false;
  }
}
