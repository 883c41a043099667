/** A message row as the store reads and writes it: its columns, its record, its search columns. */
import type { ContentType, ConversationType, MessageDraft, MessageRecord } from '@parley/chat-core';
import type { Selectable } from 'kysely';
import { type Codec, readBool, readDate, readDateOrNull, readList } from './codec.js';
import type { MessagesTable } from './database.js';
import { ftsText } from './search.js';

/** The columns a message is read from: never the search columns, which the port never answers. */
export const MESSAGE_COLUMNS = [
  'id',
  'conversation_id',
  'type',
  'sender_id',
  'receiver_id',
  'group_id',
  'content',
  'content_type',
  'mentions',
  'mention_all',
  'reply_to',
  'client_msg_id',
  'seq',
  'created_at',
  'recalled_at',
  'recalled_by',
  'edited_at',
  'version',
  'reply_count',
  'pinned_at',
  'pinned_by',
] as const satisfies readonly (keyof MessagesTable)[];

export type MessageRow = Pick<Selectable<MessagesTable>, (typeof MESSAGE_COLUMNS)[number]>;

/**
 * The search columns of a message with these tokens (none when recalled): the token array on
 * PostgreSQL, the FTS5 text on SQLite (see `search.ts`).
 */
export function searchColumns(
  codec: Codec,
  tokens: readonly string[],
): { search_tokens: string[] } | { search_text: string | null } {
  return codec.dialect === 'postgres'
    ? { search_tokens: [...new Set(tokens)] }
    : { search_text: ftsText(tokens) };
}

export function toMessage(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    type: row.type as ConversationType,
    senderId: row.sender_id,
    receiverId: row.receiver_id,
    groupId: row.group_id,
    content: row.content,
    contentType: row.content_type as ContentType,
    mentions: readList(row.mentions),
    mentionAll: readBool(row.mention_all),
    replyTo: row.reply_to,
    clientMsgId: row.client_msg_id,
    seq: row.seq,
    createdAt: readDate(row.created_at),
    recalledAt: readDateOrNull(row.recalled_at),
    recalledBy: row.recalled_by,
    editedAt: readDateOrNull(row.edited_at),
    version: row.version,
    replyCount: row.reply_count,
    pinnedAt: readDateOrNull(row.pinned_at),
    pinnedBy: row.pinned_by,
  };
}

/**
 * The record of a message just stored from `draft` at `seq`: the draft's fields, copied one by
 * one (a structured clone cost more than the rest of the mapping; the draft's search tokens are
 * never answered), new at version 0, no replies, unpinned.
 */
export function createdMessage(draft: MessageDraft, seq: number): MessageRecord {
  return {
    id: draft.id,
    conversationId: draft.conversationId,
    type: draft.type,
    senderId: draft.senderId,
    receiverId: draft.receiverId,
    groupId: draft.groupId,
    content: draft.content,
    contentType: draft.contentType,
    mentions: [...draft.mentions],
    mentionAll: draft.mentionAll,
    replyTo: draft.replyTo,
    clientMsgId: draft.clientMsgId,
    seq,
    createdAt: copyDate(draft.createdAt),
    recalledAt: copyDate(draft.recalledAt),
    recalledBy: draft.recalledBy,
    editedAt: copyDate(draft.editedAt),
    version: 0,
    replyCount: 0,
    pinnedAt: null,
    pinnedBy: null,
  };
}

/** A Date copied; anything else (null) as it is, as a structured clone would. */
function copyDate<T extends Date | null>(value: T): T {
  return (value instanceof Date ? new Date(value.getTime()) : value) as T;
}
