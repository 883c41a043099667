/** REST: conversations, history, sends (the fallback of the socket events), recall, receipts. */
import type {
  ConversationView,
  HistoryInput,
  MessagePage,
  MessageView,
  PublicUser,
  SendGroupInput,
  SendPrivateInput,
} from '@parley/chat-core';
import { type HttpClient, segment } from './http.js';
import type { CursorPage, PageQuery } from './pages.js';

/** A message's reaction summary (contract version 2). */
export interface ReactionView {
  emoji: string;
  count: number;
  me: boolean;
}

/** `/api/conversations/*`. */
export interface ConversationsApi {
  /** `GET /api/conversations`: every conversation, newest activity first, each with `lastSeq`. */
  list(): Promise<ConversationView[]>;
  /** `POST /api/conversations/:id/read`: everything up to `seq` is read. */
  markRead(conversationId: string, seq: number): Promise<void>;
  /** `GET /api/conversations/:id/pins` (contract version 2). */
  pins(conversationId: string): Promise<{ messages: MessageView[] }>;
  /** `POST /api/conversations/:id/pins` (contract version 2). */
  pin(conversationId: string, messageId: string): Promise<void>;
  /** `DELETE /api/conversations/:id/pins/:messageId` (contract version 2). */
  unpin(conversationId: string, messageId: string): Promise<void>;
}

/** `/api/messages/*`. */
export interface MessagesApi {
  /** `GET /api/messages/private/:friendId`: ascending by seq; no cursor means the newest page. */
  privateHistory(friendId: string, query?: HistoryInput): Promise<MessagePage>;
  /** `GET /api/messages/group/:groupId`: members only. */
  groupHistory(groupId: string, query?: HistoryInput): Promise<MessagePage>;
  /** `POST /api/messages/private/:friendId`: idempotent by `clientMsgId`. */
  sendPrivate(
    friendId: string,
    input: Omit<SendPrivateInput, 'receiverId'>,
  ): Promise<{ message: MessageView }>;
  /** `POST /api/messages/group/:groupId`: idempotent by `clientMsgId`. */
  sendGroup(groupId: string, input: Omit<SendGroupInput, 'groupId'>): Promise<{ message: MessageView }>;
  /** `POST /api/messages/:id/recall`: the tombstone. */
  recall(messageId: string): Promise<{ message: MessageView }>;
  /** `DELETE /api/messages/:id`: hidden from the caller's history only. */
  deleteForMe(messageId: string): Promise<void>;
  /** `GET /api/messages/:id/readers`: sender, owner or admins of the group only. */
  readers(messageId: string, page?: PageQuery): Promise<CursorPage<'readers', PublicUser>>;
  /** `PATCH /api/messages/:id` (contract version 2): only the sender, text only, within the window. */
  edit(messageId: string, content: string): Promise<{ message: MessageView }>;
  /** `POST /api/messages/:id/reactions` (contract version 2). */
  react(messageId: string, emoji: string): Promise<{ message: MessageView }>;
  /** `DELETE /api/messages/:id/reactions/:emoji` (contract version 2). */
  unreact(messageId: string, emoji: string): Promise<void>;
  /** `GET /api/messages/:id/thread` (contract version 2): the replies, ascending. */
  thread(messageId: string, page?: PageQuery): Promise<{ messages: MessageView[]; hasMore: boolean }>;
  /** `GET /api/messages/search` (contract version 2): newest first. */
  search(
    q: string,
    query?: PageQuery & { conversationId?: string },
  ): Promise<CursorPage<'messages', MessageView>>;
}

/** Creates the {@link ConversationsApi} over `http`. */
export function conversationsApi(http: HttpClient): ConversationsApi {
  const base = (id: string) => `/api/conversations/${segment(id)}`;
  return {
    list: () => http.request('GET', '/api/conversations'),
    markRead: (id, seq) => http.request('POST', `${base(id)}/read`, { body: { seq } }),
    pins: (id) => http.request('GET', `${base(id)}/pins`),
    pin: (id, messageId) => http.request('POST', `${base(id)}/pins`, { body: { messageId } }),
    unpin: (id, messageId) => http.request('DELETE', `${base(id)}/pins/${segment(messageId)}`),
  };
}

/** Creates the {@link MessagesApi} over `http`. */
export function messagesApi(http: HttpClient): MessagesApi {
  const base = (id: string) => `/api/messages/${segment(id)}`;
  return {
    privateHistory: (friendId, query = {}) =>
      http.request('GET', `/api/messages/private/${segment(friendId)}`, { query: { ...query } }),
    groupHistory: (groupId, query = {}) =>
      http.request('GET', `/api/messages/group/${segment(groupId)}`, { query: { ...query } }),
    sendPrivate: (friendId, input) =>
      http.request('POST', `/api/messages/private/${segment(friendId)}`, { body: input }),
    sendGroup: (groupId, input) =>
      http.request('POST', `/api/messages/group/${segment(groupId)}`, { body: input }),
    recall: (id) => http.request('POST', `${base(id)}/recall`),
    deleteForMe: (id) => http.request('DELETE', base(id)),
    readers: (id, page = {}) => http.request('GET', `${base(id)}/readers`, { query: { ...page } }),
    edit: (id, content) => http.request('PATCH', base(id), { body: { content } }),
    react: (id, emoji) => http.request('POST', `${base(id)}/reactions`, { body: { emoji } }),
    unreact: (id, emoji) => http.request('DELETE', `${base(id)}/reactions/${segment(emoji)}`),
    thread: (id, page = {}) => http.request('GET', `${base(id)}/thread`, { query: { ...page } }),
    search: (q, query = {}) => http.request('GET', '/api/messages/search', { query: { q, ...query } }),
  };
}
