/**
 * Conversation ids are derived, not stored: a private pair always maps to the same id whoever
 * sends first, so no lookup is needed to find it.
 */

/** `p:<smaller id>:<larger id>`. */
export function privateConversationId(a: string, b: string): string {
  return a < b ? `p:${a}:${b}` : `p:${b}:${a}`;
}

/** `g:<group id>`. */
export function groupConversationId(groupId: string): string {
  return `g:${groupId}`;
}

/** What a conversation id names, or null when it is not one. */
export function parseConversationId(
  id: string,
): { type: 'private'; userIds: [string, string] } | { type: 'group'; groupId: string } | null {
  if (id.startsWith('g:') && id.length > 2) return { type: 'group', groupId: id.slice(2) };
  if (id.startsWith('p:')) {
    const parts = id.split(':');
    if (parts.length === 3 && parts[1] && parts[2]) return { type: 'private', userIds: [parts[1], parts[2]] };
  }
  return null;
}
