/** Conversation and cursor rows as the store reads them, and how an advance merges into a cursor. */
import type {
  ConversationCursorRecord,
  ConversationRecord,
  ConversationType,
  CursorAdvance,
} from '@parley/chat-core';
import type { Selectable } from 'kysely';
import { readDate, readDateOrNull, readList } from './codec.js';
import type { ConversationsTable, CursorsTable } from './database.js';

export function toConversation(row: Selectable<ConversationsTable>): ConversationRecord {
  return {
    id: row.id,
    type: row.type as ConversationType,
    memberIds: readList(row.member_ids),
    groupId: row.group_id,
    lastSeq: row.last_seq,
    lastVersion: row.last_version,
    lastMessageAt: readDateOrNull(row.last_message_at),
    createdAt: readDate(row.created_at),
  };
}

export function toCursor(row: Selectable<CursorsTable>): ConversationCursorRecord {
  return {
    userId: row.user_id,
    conversationId: row.conversation_id,
    readSeq: row.read_seq,
    deliveredSeq: row.delivered_seq,
    lastMentionSeq: row.last_mention_seq,
    updatedAt: readDate(row.updated_at),
  };
}

/**
 * The cursor after `advance`: each seq the max of before and advance, `updatedAt` moved to `at`
 * only when a seq moved (`moved` then says the row needs writing). `before` is left as it is.
 */
export function mergeAdvance(
  before: ConversationCursorRecord,
  advance: CursorAdvance,
  at: Date,
): { after: ConversationCursorRecord; moved: boolean } {
  const after = { ...before, updatedAt: new Date(before.updatedAt.getTime()) };
  let moved = false;
  for (const key of ['readSeq', 'deliveredSeq', 'lastMentionSeq'] as const) {
    const value = advance[key];
    if (value !== undefined && value > after[key]) {
      after[key] = value;
      moved = true;
    }
  }
  if (moved) after.updatedAt = new Date(at.getTime());
  return { after, moved };
}
