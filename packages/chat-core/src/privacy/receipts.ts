/**
 * Read receipts under the users' privacy settings. As in WhatsApp the setting works both ways: a
 * user with read receipts off tells nobody what they read and learns nothing of what others
 * read. Their peer's messages then stop at `delivered`, which stays true: read implies delivered.
 */

import type { EngineContext } from '../context.js';
import type { ConversationCursorRecord, UserRecord } from '../domain/records.js';

/** Whether read receipts flow between these two users (both must have them on). */
export function receiptsFlow(a: UserRecord | undefined, b: UserRecord | undefined): boolean {
  // A user record that is gone shares nothing, but hides nothing either: its receipts are history.
  return (a?.privacy.sendReadReceipts ?? true) && (b?.privacy.sendReadReceipts ?? true);
}

/** The cursor with its read position folded into `delivered`, for a viewer who may not see reads. */
function withoutReads(cursor: ConversationCursorRecord): ConversationCursorRecord {
  return { ...cursor, deliveredSeq: Math.max(cursor.deliveredSeq, cursor.readSeq), readSeq: 0 };
}

/** The peer's cursor as a viewer sees it, when whether receipts flow between them is known. */
export function cursorAsSeen(
  cursor: ConversationCursorRecord | null,
  flows: boolean,
): ConversationCursorRecord | null {
  return cursor === null || flows ? cursor : withoutReads(cursor);
}

/**
 * The peer's cursor in a private conversation as `viewerId` may see it: the receipt status of
 * the viewer's own messages is derived from it. Null when the peer has none yet.
 */
export async function peerCursorFor(
  ctx: EngineContext,
  viewerId: string,
  peerId: string,
  conversationId: string,
): Promise<ConversationCursorRecord | null> {
  const [cursor, users] = await Promise.all([
    ctx.store.messages.getCursor(peerId, conversationId),
    ctx.store.users.getByIds([viewerId, peerId]),
  ]);
  const byId = new Map(users.map((u) => [u.id, u]));
  return cursorAsSeen(cursor, receiptsFlow(byId.get(viewerId), byId.get(peerId)));
}
