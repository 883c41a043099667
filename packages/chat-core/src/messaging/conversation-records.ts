/** Records of conversations as the core creates them on first use (see `ensureConversation`). */
import type { ConversationRecord } from '../domain/records.js';
import { groupConversationId, privateConversationId } from './conversation-ids.js';

/** A new, empty private conversation between two users. */
export function newPrivateConversation(a: string, b: string, now: Date): ConversationRecord {
  return {
    id: privateConversationId(a, b),
    type: 'private',
    memberIds: a < b ? [a, b] : [b, a],
    groupId: null,
    lastSeq: 0,
    lastVersion: 0,
    lastMessageAt: null,
    createdAt: now,
  };
}

/** A new, empty group conversation. */
export function newGroupConversation(groupId: string, now: Date): ConversationRecord {
  return {
    id: groupConversationId(groupId),
    type: 'group',
    memberIds: [],
    groupId,
    lastSeq: 0,
    lastVersion: 0,
    lastMessageAt: null,
    createdAt: now,
  };
}
