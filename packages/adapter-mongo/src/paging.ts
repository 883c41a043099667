/** Shared query helpers: trusted operators, opaque page cursors, `undefined`-free patches. */
import { invalidCursorError, type Page } from '@parley/chat-core';
import mongoose from 'mongoose';
import { toStoredId } from './ids.js';

/**
 * Marks an operator object built by the adapter (`{ $gt: … }`, `{ $in: … }`) as trusted, so the
 * `sanitizeFilter` guard of every query lets it through. Values from callers never go in here
 * except as operands.
 */
export function op<T extends object>(operator: T): T {
  return mongoose.trusted(operator);
}

/** Encodes a page position as an opaque cursor. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Decodes a cursor issued by {@link encodeCursor}; null when absent. A foreign, malformed or
 * tampered cursor is refused with VALIDATION_FAILED, as the storage port says.
 */
export function decodeCursor<K extends string>(
  cursor: string | undefined,
  shape: Record<K, 'string' | 'number'>,
): Record<K, string | number> | null {
  if (cursor === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursorError();
  }
  if (typeof value !== 'object' || value === null) throw invalidCursorError();
  for (const [key, type] of Object.entries(shape)) {
    if (typeof (value as Record<string, unknown>)[key] !== type) throw invalidCursorError();
  }
  return value as Record<K, string | number>;
}

/** The cursor shape of lists ordered by (time, id). */
export const TIME_ID = { t: 'number', i: 'string' } as const;

/**
 * The filter of "after the cursor (t, i)" in a (time, key) order: later items when the list is
 * ascending, earlier ones when it is descending.
 */
export function afterTimeKey(
  order: 'asc' | 'desc',
  timeField: string,
  keyField: string,
  cursor: Record<'t' | 'i', string | number> | null,
): Doc {
  if (!cursor) return {};
  const past = order === 'asc' ? '$gt' : '$lt';
  const t = new Date(Number(cursor.t));
  const key = toStoredId(String(cursor.i));
  return {
    $or: [{ [timeField]: op({ [past]: t }) }, { [timeField]: t, [keyField]: op({ [past]: key }) }],
  };
}

/** A page from `limit + 1` fetched items: the extra one only says that more exist. */
export function toPage<T>(fetched: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const hasMore = fetched.length > limit;
  const items = hasMore ? fetched.slice(0, limit) : fetched;
  const last = items.at(-1);
  return { items, hasMore, nextCursor: hasMore && last !== undefined ? cursorOf(last) : null };
}

/** The patch without its `undefined` entries, so an update only touches the fields it names. */
export function definedEntries<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A raw lean document. */
export type Doc = Record<string, unknown>;

/** A Date field of a raw document, or null. */
export function dateOrNull(value: unknown): Date | null {
  return value instanceof Date ? new Date(value.getTime()) : null;
}

/** A required Date field of a raw document. */
export function date(value: unknown): Date {
  return value instanceof Date ? new Date(value.getTime()) : new Date(String(value));
}

/** A string field of a raw document, or null. */
export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
