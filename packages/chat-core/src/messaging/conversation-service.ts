/** The conversation list: one entry per private pair or group, newest activity first. */
import type { EngineContext } from '../context.js';
import type { ConversationView } from '../domain/views.js';
import { notImplemented } from '../util/not-implemented.js';

export interface ConversationService {
  /**
   * The caller's conversations with last message, unread count (from read cursors, never by
   * counting messages) and mentioned flag, newest first.
   */
  list(userId: string): Promise<ConversationView[]>;
}

export function createConversationService(_ctx: EngineContext): ConversationService {
  return { list: () => notImplemented('conversations.list') };
}
