/**
 * Raw probes for the conformance kit: plain SQL reads of what a write stored, straight from the
 * tables (never through the store's own mappers), with snake_case columns as camelCase keys,
 * times as Dates and 0/1 as booleans, so the kit compares them with the records it wrote.
 */
import type { SqlChatStore } from '@parley/adapter-sql';
import type { ChatStore } from '@parley/chat-core';
import type { RawProbes } from '@parley/chat-core/testing';
import { sql } from 'kysely';

const TIME_COLUMNS = new Set([
  'last_seen_at',
  'created_at',
  'updated_at',
  'expires_at',
  'responded_at',
  'since',
  'last_message_at',
  'recalled_at',
  'edited_at',
  'pinned_at',
  'muted_until',
  'joined_at',
  'dissolved_at',
  'resolved_at',
  'due_at',
  'lease_until',
  'failed_at',
]);
const BOOL_COLUMNS = new Set([
  'email_verified',
  'mention_all',
  'mute_all',
  'show_last_seen',
  'show_online',
  'send_read_receipts',
  'push_previews',
]);
const JSON_COLUMNS = new Set(['mentions', 'member_ids', 'announcement']);

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    let v = value;
    if (v !== null && TIME_COLUMNS.has(column)) v = v instanceof Date ? v : new Date(Number(v));
    else if (BOOL_COLUMNS.has(column)) v = v === true || v === 1;
    else if (v !== null && JSON_COLUMNS.has(column)) v = JSON.parse(String(v));
    out[camel(column)] = v;
  }
  return out;
}

export function sqlProbes(store: ChatStore): RawProbes {
  const { db } = store as SqlChatStore;
  const one = async (query: ReturnType<typeof sql<Record<string, unknown>>>) => {
    const { rows } = await query.execute(db);
    return rows[0] ? plainRow(rows[0]) : null;
  };
  return {
    user: (id) => one(sql`select * from parley_users where id = ${id}`),
    message: (id) => one(sql`select * from parley_messages where id = ${id}`),
    group: (id) => one(sql`select * from parley_groups where id = ${id}`),
    member: (groupId, userId) =>
      one(sql`select * from parley_group_members where group_id = ${groupId} and user_id = ${userId}`),
  };
}
