/** What the UI reads of a conversation. */
import type { ConversationView, MessageView } from '@parley/chat-core';

/** One conversation as the client holds it, ready to render in a list. */
export interface ConversationSnapshot {
  id: string;
  type: 'private' | 'group';
  /** The other user, for a private conversation. */
  peerId?: string;
  groupId?: string;
  /** The server's summary (peer profile, group card) from the last resume, if listed yet. */
  summary: ConversationView | null;
  /** The newest message held. */
  lastMessage: MessageView | null;
  /** Every message up to this seq is held. */
  heldSeq: number;
  /** The highest seq known. */
  lastSeq: number;
  unreadCount: number;
  /** Users typing now. */
  typing: string[];
}
