/** The typed events a UI listens to on a client. */
import type { MessageView } from '@parley/chat-core';
import type { ParleyError } from '../errors/parley-error.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import type { ConversationSnapshot } from '../store/conversation-snapshot.js';
import type { PresenceSnapshot } from '../store/presence.js';

/**
 * Where the client is: `idle` (not started), `connecting`, `resuming` (connected, fetching what
 * it missed), `online` (caught up, live), `offline` (lost, reconnecting with backoff),
 * `unauthorized` (the token was refused and no new one came), `closed`.
 */
export type ConnectionState =
  | 'idle'
  | 'connecting'
  | 'resuming'
  | 'online'
  | 'offline'
  | 'unauthorized'
  | 'closed';

/** Events of a {@link ParleyClient}: `client.on('message:added', ({ message }) => …)`. */
export interface ParleyClientEvents {
  /** A message the view did not hold: live, from a sync, an older page, or one's own ack. */
  'message:added': { conversationId: string; message: MessageView };
  /** A held message changed: recalled, delivered, read. */
  'message:changed': { conversationId: string; message: MessageView };
  /** A conversation's summary, unread count, last message or typing list changed. */
  'conversation:updated': { conversation: ConversationSnapshot };
  /** The connection state changed. */
  connection: { state: ConnectionState; reason?: string; error?: ParleyError };
  /** An outbox entry changed state. */
  outbox: { entry: OutboxEntry };
  /** Who is typing in a conversation changed. */
  typing: { conversationId: string; userIds: string[] };
  /** A friend's presence changed. */
  presence: PresenceSnapshot;
  /** A resume after a (re)connect finished: the client holds everything it missed. */
  resumed: { conversations: number; messages: number };
  /** Something failed in the background (a refused sync, a storage failure). */
  error: { error: ParleyError; during: string };
}
