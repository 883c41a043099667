/**
 * Conversation ids as the contract documents them: `p:<smaller user id>:<larger user id>` for a
 * private pair, `g:<group id>` for a group. The SDK needs them to place a send or a typing
 * indicator before the server has answered.
 */

/** The id of the private conversation of two users. */
export function privateConversationId(a: string, b: string): string {
  return a < b ? `p:${a}:${b}` : `p:${b}:${a}`;
}

/** The id of a group's conversation. */
export function groupConversationId(groupId: string): string {
  return `g:${groupId}`;
}

/** Who a conversation is with, from `selfId`'s side; null when the id is not one. */
export function conversationPartner(
  conversationId: string,
  selfId: string | null,
): { type: 'private'; peerId: string } | { type: 'group'; groupId: string } | null {
  if (conversationId.startsWith('g:') && conversationId.length > 2)
    return { type: 'group', groupId: conversationId.slice(2) };
  const parts = conversationId.split(':');
  if (parts[0] === 'p' && parts.length === 3 && parts[1] && parts[2]) {
    const peerId = parts[1] === selfId ? parts[2] : parts[1];
    return { type: 'private', peerId };
  }
  return null;
}

/** The `sub` of a JWT, read without verifying it (the server verifies); null when unreadable. */
export function tokenSubject(token: string | null): string | null {
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown };
    return typeof json.sub === 'string' ? json.sub : null;
  } catch {
    return null;
  }
}
