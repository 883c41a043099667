/** Pages of messages as one viewer sees them. */

import { statusFromCursor, toMessageView } from '../domain/mappers.js';
import type { ConversationCursorRecord, MessageRecord } from '../domain/records.js';
import type { MessagePage, MessageView } from '../domain/views.js';

/**
 * A message as `viewerId` sees it: a private message the viewer sent carries its receipt status,
 * derived from the peer's cursor (so it never moves back).
 */
export function viewFor(
  message: MessageRecord,
  viewerId: string,
  peerCursor: ConversationCursorRecord | null,
): MessageView {
  if (message.type === 'private' && message.senderId === viewerId) {
    return toMessageView(message, statusFromCursor(message.seq, peerCursor));
  }
  return toMessageView(message);
}

/** A store page mapped for one viewer. */
export function pageFor(
  page: { items: MessageRecord[]; hasMore: boolean },
  viewerId: string,
  peerCursor: ConversationCursorRecord | null,
): MessagePage {
  return { messages: page.items.map((m) => viewFor(m, viewerId, peerCursor)), hasMore: page.hasMore };
}
