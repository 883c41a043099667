/**
 * `createParleyClient`: REST helpers, a realtime session that resumes by seq after every
 * (re)connect and fills live gaps, an outbox with exactly-once sends, and a local view of every
 * conversation with typed events for a UI.
 */
import type { ConversationView, MessageView } from '@parley/chat-core';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import {
  conversationPartner,
  groupConversationId,
  privateConversationId,
  tokenSubject,
} from './conversation-ids.js';
import { isParleyError, ParleyError } from './errors/parley-error.js';
import type { ConnectionState, ParleyClientEvents } from './events/client-events.js';
import { createEmitter, type Listenable } from './events/emitter.js';
import { createOutbox } from './outbox/outbox.js';
import type { OutboxEntry, SendInput } from './outbox/outbox-entry.js';
import { memoryOutboxStorage, type OutboxStorage } from './outbox/outbox-storage.js';
import { type BackoffOptions, backoffDelay } from './realtime/backoff.js';
import { createConversationSync } from './realtime/conversation-sync.js';
import { createRealtimeSession, type ParleySocket, type SocketState } from './realtime/session.js';
import type { ServerEventName, ServerEventPayload } from './realtime/socket-events.js';
import { createTypingSender, type TypingOptions } from './realtime/typing-sender.js';
import { createHttpClient, type FetchLike } from './rest/http.js';
import { type ParleyRest, restOver } from './rest/index.js';
import type { ConversationSnapshot } from './store/conversation-snapshot.js';
import { type ConversationViewState, createConversationView } from './store/conversation-view.js';
import { createPresenceTable, type PresenceSnapshot } from './store/presence.js';
import { createTypingIndicators } from './store/typing-indicators.js';

/** Options of {@link createParleyClient}. */
export interface ParleyClientOptions {
  /** The server's base URL: REST under `/api`, Socket.IO at `/socket.io`. */
  url: string;
  /** The JWT from register or login. Without one, call `setToken` before `connect`. @default none */
  token?: string | null;
  /**
   * Asked for a new token when the handshake is refused (UNAUTHORIZED, TOKEN_EXPIRED); answer
   * null to stay signed out (state `unauthorized`). @default () => null
   */
  refreshToken?: (code: string) => Promise<string | null> | string | null;
  /** Where pending sends are kept; `localStorageOutbox()` in browsers. @default memoryOutboxStorage() */
  storage?: OutboxStorage;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Connect as soon as the client is created (when it has a token). @default true */
  autoConnect?: boolean;
  /** Reconnect and retry waits. @default { minMs: 500, maxMs: 10000, factor: 2, jitter: 0.5 } */
  backoff?: BackoffOptions;
  /** A socket request (send, sync) with no ack after this long is retried. @default 10000 */
  ackTimeoutMs?: number;
  /** A REST request with no answer after this long fails with TIMEOUT. @default 15000 */
  requestTimeoutMs?: number;
  /** Messages per `sync` page. @default 100 */
  syncPageSize?: number;
  /** Answer delivery receipts (`new_private_message` acks) as messages arrive. @default true */
  acknowledgeDelivery?: boolean;
  /** Load the friends' presence at every resume. @default true */
  loadPresence?: boolean;
  /** Outgoing typing throttle and incoming indicator expiry. @default { throttleMs: 3000, idleMs: 5000, expireMs: 6000 } */
  typing?: TypingOptions;
  /** Passed to socket.io-client, e.g. `{ transports: ['websocket'] }`. @default {} */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

/** The outbox as the app sees it. */
export interface ClientOutbox {
  /** Resolves once stored entries (from before a reload) are loaded. */
  readonly ready: Promise<void>;
  /** Every entry not read yet, in creation order. */
  entries(): OutboxEntry[];
  get(clientMsgId: string): OutboxEntry | undefined;
  /** Sends a failed entry again with its clientMsgId. */
  retry(clientMsgId: string): void;
  /** Forgets an entry. */
  discard(clientMsgId: string): Promise<void>;
  /** Resolves when nothing is queued or sending. */
  idle(): Promise<void>;
}

/** A Parley client. Create it with {@link createParleyClient}. */
export interface ParleyClient extends Listenable<ParleyClientEvents> {
  /** Every REST route of the contract, with this client's token. */
  readonly rest: ParleyRest;
  /** The connection state. */
  readonly state: ConnectionState;
  /** The signed-in user's id (the token's subject), or null without a token. */
  readonly userId: string | null;
  /** The socket, for events the SDK does not wrap (typed with the contract's maps). */
  readonly socket: ParleySocket;
  /** The outbox. */
  readonly outbox: ClientOutbox;
  /** Opens the realtime session (idempotent); it reconnects by itself until `close`. */
  connect(): void;
  /** Closes the session and every timer; pending sends stay in storage. Safe to call twice. */
  close(): Promise<void>;
  /**
   * Uses a new token (a refresh, a password change): REST at once, and the socket reconnects with
   * it; pending sends go on with their ids. `null` signs out and disconnects.
   */
  setToken(token: string | null): void;
  /** Resolves when the client is `online` (connected and caught up). */
  whenOnline(): Promise<void>;
  /** Queues a message; answers its outbox entry (with its clientMsgId) at once. */
  send(input: SendInput): OutboxEntry;
  /** Recalls one's message (or, as group owner/admin, anyone's); answers the tombstone. */
  recall(messageId: string): Promise<MessageView>;
  /** Reads everything up to `seq` (default: the newest held) and zeroes the unread count. */
  markRead(conversationId: string, seq?: number): Promise<void>;
  /** Loads the page of history before the oldest held message; answers how many were new. */
  loadOlder(conversationId: string, limit?: number): Promise<number>;
  /** Runs the resume now: lists conversations and syncs each one behind. */
  resync(): Promise<void>;
  /** A keystroke in a conversation: typing starts (throttled) and stops after idling. */
  typing(conversationId: string): void;
  /** Typing stopped (e.g. the message was sent). */
  stopTyping(conversationId: string): void;
  /** Every conversation held, newest activity first. */
  conversations(): ConversationSnapshot[];
  /** One conversation, if held. */
  conversation(conversationId: string): ConversationSnapshot | undefined;
  /** Messages held, ascending by seq, each once. */
  messages(conversationId: string): readonly MessageView[];
  /** Sends not stored by the server yet (queued, sending, failed), to show below the messages. */
  pending(conversationId: string): OutboxEntry[];
  /** A friend's presence. */
  presence(userId: string): PresenceSnapshot | undefined;
  /** The conversation id of a private pair with `userId` (needs a token). */
  conversationWith(userId: string): string;
  /** The conversation id of a group. */
  groupConversation(groupId: string): string;
  /** Listens to a raw server→client event (payload only); answers a function that stops it. */
  onServer<K extends ServerEventName>(
    event: K,
    listener: (payload: ServerEventPayload<K>) => void,
  ): () => void;
}

function asParleyError(error: unknown): ParleyError {
  return isParleyError(error)
    ? error
    : new ParleyError({ code: 'INTERNAL', message: String(error), cause: error });
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Creates a client. With a token it connects at once (unless `autoConnect: false`).
 *
 * ```ts
 * const client = createParleyClient({ url: 'https://chat.example.com', token });
 * client.on('message:added', ({ message }) => render(message));
 * client.send({ to: friendId, content: 'Hello!' });
 * ```
 */
export function createParleyClient(options: ParleyClientOptions): ParleyClient {
  let token = options.token ?? null;
  let selfId = tokenSubject(token);
  const emitter = createEmitter<ParleyClientEvents>();
  const http = createHttpClient({
    url: options.url,
    getToken: () => token,
    fetch: options.fetch,
    timeoutMs: options.requestTimeoutMs,
  });
  const rest = restOver(http);
  const backoff = options.backoff ?? {};
  let state: ConnectionState = 'idle';
  let closed = false;
  let epoch = 0;
  let timeouts = 0;

  const views = new Map<string, ConversationViewState>();
  const presence = createPresenceTable();
  const typingIndicators = createTypingIndicators(options.typing?.expireMs ?? 6000, (conversationId) =>
    typingChanged(conversationId),
  );

  const setState = (next: ConnectionState, detail: { reason?: string; error?: ParleyError } = {}) => {
    if (state === next || state === 'closed') return;
    state = next;
    emitter.emit('connection', { state: next, ...detail });
  };

  const viewOf = (conversationId: string): ConversationViewState => {
    let view = views.get(conversationId);
    if (!view) {
      view = createConversationView(conversationId, () => selfId);
      views.set(conversationId, view);
    }
    return view;
  };

  const snapshotOf = (view: ConversationViewState): ConversationSnapshot => {
    const partner = conversationPartner(view.id, selfId);
    const messages = view.messages();
    return {
      id: view.id,
      type: partner?.type ?? view.summary?.type ?? 'private',
      ...(partner?.type === 'private' && { peerId: partner.peerId }),
      ...(partner?.type === 'group' && { groupId: partner.groupId }),
      summary: view.summary,
      lastMessage: messages.at(-1) ?? view.summary?.lastMessage ?? null,
      heldSeq: view.heldSeq,
      lastSeq: view.lastSeq,
      unreadCount: view.unreadCount,
      typing: typingIndicators.get(view.id),
    };
  };

  const conversationChanged = (view: ConversationViewState) =>
    emitter.emit('conversation:updated', { conversation: snapshotOf(view) });

  function typingChanged(conversationId: string) {
    emitter.emit('typing', { conversationId, userIds: typingIndicators.get(conversationId) });
    const view = views.get(conversationId);
    if (view) conversationChanged(view);
  }

  /** Puts a message in its view; answers whether it was new. Live messages past a gap start a sync. */
  const applyMessage = (message: MessageView, live: boolean): boolean => {
    const view = viewOf(message.conversationId);
    const gap = live && view.gapBefore(message.seq);
    const result = view.apply(message);
    if (result === 'added')
      emitter.emit('message:added', { conversationId: view.id, message: view.get(message.id) ?? message });
    else if (result === 'changed')
      emitter.emit('message:changed', { conversationId: view.id, message: view.get(message.id) ?? message });
    if (result !== 'unchanged') conversationChanged(view);
    if (gap) fillGap(view.id);
    return result === 'added';
  };

  const session = createRealtimeSession({
    url: options.url,
    getToken: () => token,
    backoff,
    ackTimeoutMs: options.ackTimeoutMs,
    socketOptions: options.socketOptions,
    onAuthError: async (code) => {
      const fresh = (await options.refreshToken?.(code)) ?? null;
      if (fresh && !closed) {
        token = fresh;
        selfId = tokenSubject(fresh) ?? selfId;
      }
      return fresh;
    },
    onState: (socketState: SocketState, detail) => {
      if (socketState === 'connected') {
        timeouts = 0;
        epoch += 1;
        setState('resuming');
        outbox.kick();
        void resume(epoch);
      } else if (socketState === 'connecting')
        setState(state === 'idle' ? 'connecting' : state === 'offline' ? 'offline' : 'connecting');
      else if (socketState === 'disconnected') {
        epoch += 1;
        setState('offline', detail?.reason === undefined ? {} : { reason: detail.reason });
      } else if (socketState === 'unauthorized') {
        // A resume running on the connection that just ended must not apply its answers.
        epoch += 1;
        setState('unauthorized', detail?.error ? { error: detail.error } : {});
      }
    },
  });

  /** A socket request; two timeouts in a row on a connected socket mean a stalled link: reconnect. */
  const request: typeof session.request = async (event, payload, timeoutMs) => {
    try {
      const data = await session.request(event, payload, timeoutMs);
      timeouts = 0;
      return data;
    } catch (error) {
      if (isParleyError(error) && error.code === 'TIMEOUT' && ++timeouts >= 2 && !closed) {
        timeouts = 0;
        session.reconnect();
      }
      throw error;
    }
  };

  const syncer = createConversationSync({
    request: (payload) => request('sync', payload),
    viewOf,
    apply: (messages) => {
      for (const message of messages) applyMessage(message, false);
    },
    pageSize: options.syncPageSize,
  });

  const fillGap = (conversationId: string) => {
    syncer.sync(conversationId).catch((error: unknown) => {
      const failure = asParleyError(error);
      // A dropped or stalled link resumes on reconnect; anything else is worth telling.
      if (!failure.transient) emitter.emit('error', { error: failure, during: `sync ${conversationId}` });
    });
  };

  const loadPresence = async () => {
    let cursor: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const answer = await rest.friends.list({ limit: 100, ...(cursor && { cursor }) });
      for (const friend of answer.friends) {
        const entry: PresenceSnapshot = {
          userId: friend.user.id,
          status: friend.online ? 'online' : 'offline',
          lastSeenAt: friend.lastSeenAt,
        };
        if (presence.set(entry)) emitter.emit('presence', entry);
      }
      if (!answer.hasMore || !answer.nextCursor) return;
      cursor = answer.nextCursor;
    }
  };

  /** The contract's resume: list conversations, sync each one whose lastSeq is above ours. */
  const catchUp = async (): Promise<{ conversations: number; messages: number }> => {
    const list: ConversationView[] = await rest.conversations.list();
    for (const summary of list) {
      const view = viewOf(summary.id);
      view.summarize(summary);
      conversationChanged(view);
    }
    const behind = [...views.values()].filter((view) => view.lastSeq > view.heldSeq).map((view) => view.id);
    let messages = 0;
    // A few conversations at a time: a client with hundreds must not flood its own budget.
    const queue = [...behind];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) messages += await syncer.sync(id);
    };
    await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
    if (options.loadPresence !== false) await loadPresence();
    return { conversations: behind.length, messages };
  };

  const resume = async (mine: number) => {
    for (let attempt = 1; mine === epoch && !closed && session.state === 'connected'; attempt += 1) {
      try {
        const figures = await catchUp();
        if (mine !== epoch || closed) return;
        setState('online');
        emitter.emit('resumed', figures);
        return;
      } catch (error) {
        const failure = asParleyError(error);
        if (!failure.transient) emitter.emit('error', { error: failure, during: 'resume' });
        await delay(backoffDelay(attempt, backoff));
      }
    }
  };

  const outbox = createOutbox({
    storage: options.storage ?? memoryOutboxStorage(),
    canSend: () => session.state === 'connected' && !closed,
    conversationIdOf: (kind, target) => {
      if (kind === 'group') return groupConversationId(target);
      if (!selfId) throw new ParleyError({ code: 'UNAUTHORIZED', message: 'send needs a token' });
      return privateConversationId(selfId, target);
    },
    transmit: async (record) => {
      const common = {
        content: record.content,
        clientMsgId: record.clientMsgId,
        ...(record.contentType !== undefined && { contentType: record.contentType }),
        ...(record.replyTo !== undefined && { replyTo: record.replyTo }),
      };
      const { message } =
        record.kind === 'private'
          ? await request('private_message', { receiverId: record.target, ...common })
          : await request('group_message', {
              groupId: record.target,
              ...common,
              ...(record.mentions !== undefined && { mentions: record.mentions }),
              ...(record.mentionAll !== undefined && { mentionAll: record.mentionAll }),
            });
      applyMessage(message, false);
      return message;
    },
    onChange: (entry) => {
      emitter.emit('outbox', { entry });
      const view = views.get(entry.conversationId);
      if (view) conversationChanged(view);
    },
    onStorageError: (error) =>
      emitter.emit('error', { error: asParleyError(error), during: 'outbox storage' }),
    retryDelayMs: (attempt) => backoffDelay(attempt, backoff),
  });

  const typingSender = createTypingSender(options.typing ?? {}, (conversationId, isTyping) => {
    const partner = conversationPartner(conversationId, selfId);
    if (!partner || session.state !== 'connected') return;
    const payload =
      partner.type === 'group' ? { groupId: partner.groupId, isTyping } : { to: partner.peerId, isTyping };
    request('typing_status', payload).catch(() => {});
  });

  // Server events the view follows.
  const socket = session.socket;
  socket.on('new_private_message', (message, ack) => {
    applyMessage(message, true);
    if (options.acknowledgeDelivery !== false) ack?.();
  });
  socket.on('new_group_message', (message) => {
    applyMessage(message, true);
  });
  const receipts = (changed: MessageView[], conversationId: string) => {
    for (const message of changed) {
      emitter.emit('message:changed', { conversationId, message });
      outbox.receipt(message);
    }
    const view = views.get(conversationId);
    if (changed.length > 0 && view) conversationChanged(view);
  };
  socket.on('message_delivered', ({ messageId, conversationId }) =>
    receipts(viewOf(conversationId).receipt('delivered', messageId), conversationId),
  );
  socket.on('message_read', ({ conversationId, seq }) =>
    receipts(viewOf(conversationId).receipt('read', seq), conversationId),
  );
  socket.on('message_recalled', ({ messageId, conversationId }) => {
    const view = viewOf(conversationId);
    const tombstone = view.recall(messageId);
    if (tombstone) {
      emitter.emit('message:changed', { conversationId, message: tombstone });
      conversationChanged(view);
    }
  });
  /** A live change to a held message; the newer version wins, older or repeated ones are dropped. */
  const changeLive = (
    conversationId: string,
    messageId: string,
    version: number,
    update: (message: MessageView) => MessageView,
  ) => {
    const view = viewOf(conversationId);
    const changed = view.change(messageId, version, update);
    if (!changed) return;
    emitter.emit('message:changed', { conversationId, message: changed });
    conversationChanged(view);
  };
  socket.on('message_edited', ({ messageId, conversationId, content, editedAt, version }) =>
    changeLive(conversationId, messageId, version, (m) => ({ ...m, content, editedAt })),
  );
  socket.on('message_reaction', ({ messageId, conversationId, userId, emoji, add, version }) =>
    changeLive(conversationId, messageId, version, (m) => {
      const mine = userId === selfId;
      const reactions = (m.reactions ?? []).map((r) => ({ ...r }));
      const entry = reactions.find((r) => r.emoji === emoji);
      if (add) {
        if (entry) {
          entry.count += 1;
          entry.me = entry.me || mine;
        } else reactions.push({ emoji, count: 1, me: mine });
      } else if (entry) {
        entry.count -= 1;
        if (mine) entry.me = false;
      }
      const kept = reactions.filter((r) => r.count > 0);
      const next: MessageView = { ...m };
      if (kept.length > 0) next.reactions = kept;
      else delete next.reactions;
      return next;
    }),
  );
  socket.on('message_pinned', ({ messageId, conversationId, version }) =>
    changeLive(conversationId, messageId, version, (m) => ({ ...m, pinned: true })),
  );
  socket.on('message_unpinned', ({ messageId, conversationId, version }) =>
    changeLive(conversationId, messageId, version, (m) => {
      const next: MessageView = { ...m };
      delete next.pinned;
      return next;
    }),
  );
  socket.on('typing_status_update', ({ from, isTyping, groupId }) => {
    if (!selfId && !groupId) return;
    const conversationId = groupId
      ? groupConversationId(groupId)
      : privateConversationId(selfId as string, from);
    if (typingIndicators.set(conversationId, from, isTyping)) typingChanged(conversationId);
  });
  socket.on('user_presence', ({ userId, status, lastSeenAt }) => {
    const entry: PresenceSnapshot = {
      userId,
      status,
      lastSeenAt: lastSeenAt ?? presence.get(userId)?.lastSeenAt ?? null,
    };
    if (presence.set(entry)) emitter.emit('presence', entry);
  });

  const client: ParleyClient = {
    on: emitter.on,
    off: emitter.off,
    once: emitter.once,
    rest,
    get state() {
      return state;
    },
    get userId() {
      return selfId;
    },
    socket,
    outbox: {
      ready: outbox.ready,
      entries: outbox.entries,
      get: outbox.get,
      retry: outbox.retry,
      discard: outbox.discard,
      idle: outbox.idle,
    },
    connect() {
      if (closed) throw new ParleyError({ code: 'CLOSED', message: 'the client is closed' });
      if (!token)
        throw new ParleyError({ code: 'UNAUTHORIZED', message: 'connect needs a token: setToken first' });
      if (state === 'idle' || state === 'unauthorized') setState('connecting');
      session.connect();
    },
    async close() {
      if (closed) return;
      closed = true;
      const flushed = outbox.close();
      typingSender.clear();
      typingIndicators.clear();
      session.close();
      setState('closed');
      emitter.clear();
      await flushed;
    },
    setToken(next) {
      token = next;
      if (next) selfId = tokenSubject(next) ?? selfId;
      if (closed) return;
      if (!next) {
        session.socket.disconnect();
        setState('unauthorized');
        return;
      }
      if (session.state !== 'idle') session.reconnect();
    },
    whenOnline() {
      if (state === 'online') return Promise.resolve();
      return new Promise((resolve, reject) => {
        const off = emitter.on('connection', ({ state: next }) => {
          if (next === 'online') {
            off();
            resolve();
          } else if (next === 'closed') {
            off();
            reject(new ParleyError({ code: 'CLOSED', message: 'the client was closed' }));
          }
        });
      });
    },
    send: (input) => outbox.enqueue(input),
    async recall(messageId) {
      const { message } = await request('recall_message', { messageId });
      const view = viewOf(message.conversationId);
      view.recall(messageId);
      applyMessage(message, false);
      return view.get(messageId) ?? message;
    },
    async markRead(conversationId, seq) {
      const view = viewOf(conversationId);
      const upTo = seq ?? view.messages().at(-1)?.seq ?? view.lastSeq;
      if (upTo <= 0) return;
      await rest.conversations.markRead(conversationId, upTo);
      view.readUpTo(upTo);
      conversationChanged(view);
    },
    async loadOlder(conversationId, limit = 50) {
      const view = viewOf(conversationId);
      const partner = conversationPartner(conversationId, selfId);
      if (!partner)
        throw new ParleyError({
          code: 'VALIDATION_FAILED',
          message: `not a conversation id: ${conversationId}`,
        });
      const query = view.firstSeq > 0 ? { beforeSeq: view.firstSeq, limit } : { limit };
      const page =
        partner.type === 'group'
          ? await rest.messages.groupHistory(partner.groupId, query)
          : await rest.messages.privateHistory(partner.peerId, query);
      let added = 0;
      for (const message of page.messages) if (applyMessage(message, false)) added += 1;
      return added;
    },
    async resync() {
      const figures = await catchUp();
      emitter.emit('resumed', figures);
    },
    typing: (conversationId) => typingSender.keystroke(conversationId),
    stopTyping: (conversationId) => typingSender.stop(conversationId),
    conversations: () =>
      [...views.values()]
        .map(snapshotOf)
        .sort((a, b) =>
          (b.lastMessage?.createdAt ?? b.summary?.updatedAt ?? '').localeCompare(
            a.lastMessage?.createdAt ?? a.summary?.updatedAt ?? '',
          ),
        ),
    conversation: (conversationId) => {
      const view = views.get(conversationId);
      return view && snapshotOf(view);
    },
    messages: (conversationId) => views.get(conversationId)?.messages() ?? [],
    pending: (conversationId) => outbox.pending(conversationId),
    presence: (userId) => presence.get(userId),
    conversationWith(userId) {
      if (!selfId) throw new ParleyError({ code: 'UNAUTHORIZED', message: 'needs a token' });
      return privateConversationId(selfId, userId);
    },
    groupConversation: (groupId) => groupConversationId(groupId),
    onServer(event, listener) {
      const handler = (payload: unknown) => (listener as (payload: unknown) => void)(payload);
      // biome-ignore lint/suspicious/noExplicitAny: one handler shape for every event name
      (socket as any).on(event, handler);
      // biome-ignore lint/suspicious/noExplicitAny: see above
      return () => (socket as any).off(event, handler);
    },
  };

  if (token && options.autoConnect !== false) client.connect();
  return client;
}
