/** Pages of messages as one viewer sees them. */

import { statusFromCursor, toMessageView } from '../domain/mappers.js';
import type { ConversationCursorRecord, MessageRecord } from '../domain/records.js';
import type { MessagePage, MessageView } from '../domain/views.js';
import type { ChatStore } from '../ports/store.js';

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

/**
 * Puts the reactions on views, as `viewerId` sees them (`me`): one store call for all of them,
 * none when there are no views.
 */
export async function withReactions<V extends MessageView>(
  store: ChatStore,
  views: V[],
  viewerId: string,
): Promise<V[]> {
  if (views.length === 0) return views;
  const summaries = await store.messages.summarizeReactions(
    views.map((view) => view.id),
    viewerId,
  );
  if (summaries.size === 0) return views;
  for (const view of views) {
    const summary = summaries.get(view.id);
    if (summary && summary.length > 0 && !view.recalled)
      view.reactions = summary.map(({ emoji, count, mine }) => ({ emoji, count, me: mine }));
  }
  return views;
}

/** A store page mapped for one viewer. */
export function pageFor(
  page: { items: MessageRecord[]; hasMore: boolean },
  viewerId: string,
  peerCursor: ConversationCursorRecord | null,
): MessagePage {
  return { messages: page.items.map((m) => viewFor(m, viewerId, peerCursor)), hasMore: page.hasMore };
}
