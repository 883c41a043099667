/**
 * The local copy of one conversation: messages by seq, never twice (by id, and by clientMsgId for
 * one sender's retries), the seq up to which nothing is missing, unread count and receipts.
 */
import type { ConversationView, MessageView } from '@parley/chat-core';

/** What applying a message did to the view. */
export type ApplyResult = 'added' | 'changed' | 'unchanged';

/** One conversation as the client holds it. */
export interface ConversationViewState {
  readonly id: string;
  /** The server's summary (peer, group card, server unread count) from the last list, if any. */
  summary: ConversationView | null;
  /** Messages held, ascending by seq, each once. */
  messages(): readonly MessageView[];
  /** The message with this id, if held. */
  get(messageId: string): MessageView | undefined;
  /** The message `senderId` sent with this clientMsgId, if held. */
  byClientMsgId(senderId: string, clientMsgId: string): MessageView | undefined;
  /**
   * Every message with a seq at or below this one that the server will give this user is held:
   * the `afterSeq` of the next sync. 0 at first.
   */
  readonly heldSeq: number;
  /** The highest seq known: held, seen live, or the server's `lastSeq`. */
  readonly lastSeq: number;
  /** The lowest seq held (0 when none). */
  readonly firstSeq: number;
  /** Messages from others not read yet, as far as this client knows. */
  readonly unreadCount: number;
  /** Adds or merges a message. Never adds a second copy. */
  apply(message: MessageView): ApplyResult;
  /**
   * Records what a sync page proved: nothing the user may see lies between `afterSeq` and the
   * page's last seq (messages deleted for this user leave holes the server never fills).
   */
  synced(afterSeq: number, page: readonly MessageView[]): void;
  /** Takes the server's summary: its lastSeq and unread count. */
  summarize(summary: ConversationView): void;
  /**
   * The conversation's change counter this client has caught up with: the `afterVersion` of the
   * next sync. 0 at first.
   */
  readonly heldVersion: number;
  /** Records the `version` a sync answered (it only moves forward). */
  versionSynced(version: number): void;
  /**
   * Applies a live change (edit, reaction, pin) to a held message when `version` is newer than the
   * message's own; answers the changed message, or undefined when it is not held or not newer.
   */
  change(
    messageId: string,
    version: number,
    update: (message: MessageView) => MessageView,
  ): MessageView | undefined;
  /** Marks a recall; answers the tombstone when the message is held (else remembers it). */
  recall(messageId: string): MessageView | undefined;
  /** Own messages whose status moved: `delivered` for one id, `read` for every seq up to `seq`. */
  receipt(kind: 'delivered', messageId: string): MessageView[];
  receipt(kind: 'read', seq: number): MessageView[];
  /** Everything up to `seq` was read by this user: unread count drops to what lies above it. */
  readUpTo(seq: number): void;
  /** Whether a message seen live leaves a gap below it. */
  gapBefore(seq: number): boolean;
}

const STATUS_RANK = { sent: 0, delivered: 1, read: 2 } as const;

/** Creates the view of conversation `id` as `selfId` sees it. */
export function createConversationView(id: string, selfId: () => string | null): ConversationViewState {
  const bySeq = new Map<number, MessageView>();
  const byId = new Map<string, MessageView>();
  const byClientId = new Map<string, MessageView>();
  const recalled = new Set<string>();
  let ordered: MessageView[] = [];
  let held = 0;
  let heldVersion = 0;
  let last = 0;
  // Unread: the server's count up to `countedThrough`, plus messages from others above it.
  let unread = 0;
  let countedThrough = 0;
  let readThrough = 0;

  const clientKey = (senderId: string, clientMsgId: string) => `${senderId}\u0000${clientMsgId}`;

  const advance = () => {
    while (bySeq.has(held + 1)) held += 1;
    if (held > last) last = held;
  };

  const insertOrdered = (message: MessageView) => {
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ordered[mid] as MessageView).seq < message.seq) lo = mid + 1;
      else hi = mid;
    }
    ordered = [...ordered.slice(0, lo), message, ...ordered.slice(lo)];
  };

  const replace = (previous: MessageView, next: MessageView) => {
    byId.set(next.id, next);
    bySeq.set(next.seq, next);
    if (next.clientMsgId) byClientId.set(clientKey(next.senderId, next.clientMsgId), next);
    ordered = ordered.map((m) => (m === previous ? next : m));
  };

  /** Fields a change sets or clears: the copy with the newer version decides them. */
  const CHANGE_FIELDS = ['content', 'editedAt', 'reactions', 'replyCount', 'pinned'] as const;

  const merge = (mine: MessageView, incoming: MessageView): MessageView => {
    const merged: MessageView = { ...mine, ...incoming };
    const newer = (incoming.version ?? 0) >= (mine.version ?? 0) ? incoming : mine;
    const target = merged as unknown as Record<string, unknown>;
    for (const field of CHANGE_FIELDS) {
      if (newer[field] === undefined) delete target[field];
      else target[field] = newer[field];
    }
    merged.version = Math.max(mine.version ?? 0, incoming.version ?? 0);
    // Status only moves forward, and a tombstone stays one, whatever order copies arrive in.
    const a = mine.status ? STATUS_RANK[mine.status] : -1;
    const b = incoming.status ? STATUS_RANK[incoming.status] : -1;
    if (mine.status && a > b) merged.status = mine.status;
    if (mine.recalled || recalled.has(mine.id)) {
      merged.recalled = true;
      merged.content = '';
    }
    return merged;
  };

  const same = (a: MessageView, b: MessageView) => JSON.stringify(a) === JSON.stringify(b);

  const view: ConversationViewState = {
    id,
    summary: null,
    messages: () => ordered,
    get: (messageId) => byId.get(messageId),
    byClientMsgId: (senderId, clientMsgId) => byClientId.get(clientKey(senderId, clientMsgId)),
    get heldSeq() {
      return held;
    },
    get lastSeq() {
      return last;
    },
    get firstSeq() {
      return ordered[0]?.seq ?? 0;
    },
    get unreadCount() {
      return unread;
    },
    get heldVersion() {
      return heldVersion;
    },
    versionSynced(version) {
      if (version > heldVersion) heldVersion = version;
    },
    change(messageId, version, update) {
      const existing = byId.get(messageId);
      if (!existing || (existing.version ?? 0) >= version || existing.recalled) return undefined;
      const next = { ...update(existing), version };
      replace(existing, next);
      return next;
    },
    apply(message) {
      const existing =
        byId.get(message.id) ??
        (message.clientMsgId
          ? byClientId.get(clientKey(message.senderId, message.clientMsgId))
          : undefined) ??
        bySeq.get(message.seq);
      if (existing) {
        const merged = merge(existing, message);
        if (same(existing, merged)) return 'unchanged';
        replace(existing, merged);
        return 'changed';
      }
      let stored = message;
      if (recalled.has(message.id)) stored = { ...message, content: '', recalled: true };
      bySeq.set(stored.seq, stored);
      byId.set(stored.id, stored);
      if (stored.clientMsgId) byClientId.set(clientKey(stored.senderId, stored.clientMsgId), stored);
      insertOrdered(stored);
      if (stored.seq > last) last = stored.seq;
      if (stored.senderId !== selfId() && stored.seq > countedThrough && stored.seq > readThrough) {
        unread += 1;
        countedThrough = stored.seq;
      }
      advance();
      return 'added';
    },
    synced(afterSeq, page) {
      if (afterSeq > held) return;
      const top = page.at(-1)?.seq;
      if (top !== undefined && top > held) held = top;
      advance();
    },
    summarize(summary) {
      view.summary = summary;
      if (summary.lastSeq > last) last = summary.lastSeq;
      // The server counted everything up to its lastSeq; messages above it are counted here.
      if (summary.lastSeq >= countedThrough) {
        unread = summary.unreadCount;
        countedThrough = summary.lastSeq;
      }
    },
    recall(messageId) {
      recalled.add(messageId);
      const existing = byId.get(messageId);
      if (!existing) return undefined;
      if (existing.recalled) return undefined;
      const tombstone: MessageView = { ...existing, content: '', recalled: true };
      replace(existing, tombstone);
      return tombstone;
    },
    receipt(kind: 'delivered' | 'read', at: string | number): MessageView[] {
      const me = selfId();
      const changed: MessageView[] = [];
      const raise = (message: MessageView, status: 'delivered' | 'read') => {
        if (message.senderId !== me) return;
        const rank = message.status ? STATUS_RANK[message.status] : -1;
        if (rank >= STATUS_RANK[status]) return;
        const next = { ...message, status };
        replace(message, next);
        changed.push(next);
      };
      if (kind === 'delivered') {
        const message = byId.get(at as string);
        if (message) raise(message, 'delivered');
      } else {
        for (const message of ordered) if (message.seq <= (at as number)) raise(message, 'read');
      }
      return changed;
    },
    readUpTo(seq) {
      if (seq <= readThrough) return;
      readThrough = seq;
      const me = selfId();
      unread = ordered.filter((m) => m.seq > seq && m.senderId !== me).length;
      countedThrough = Math.max(countedThrough, seq, last);
    },
    gapBefore(seq) {
      return seq > held + 1;
    },
  };
  return view;
}
