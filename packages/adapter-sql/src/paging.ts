/** Opaque page cursors and the page a `limit + 1` fetch closes. */
import { invalidCursorError, type Page } from '@parley/chat-core';

/** Encodes a page position of the list `list` as an opaque cursor. */
export function encodeCursor(list: string, value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify({ l: list, ...value })).toString('base64url');
}

/**
 * Decodes a cursor of {@link encodeCursor} for the list `list`; null when absent. A cursor this
 * list did not issue (malformed, tampered, another list's) is refused with VALIDATION_FAILED
 * (`invalidCursorError()`), as the port says, never read as an empty or a first page.
 */
export function decodeCursor<K extends string>(
  list: string,
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
  if (typeof value !== 'object' || value === null || (value as { l?: unknown }).l !== list) {
    throw invalidCursorError();
  }
  for (const [key, type] of Object.entries(shape)) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field !== type || (type === 'number' && !Number.isFinite(field))) throw invalidCursorError();
  }
  return value as Record<K, string | number>;
}

/** The cursor shape of lists ordered by (time, id). */
export const TIME_ID = { t: 'number', i: 'string' } as const;

/** A page from `limit + 1` fetched items: the extra one only says that more exist. */
export function toPage<T, R>(
  fetched: T[],
  limit: number,
  map: (row: T) => R,
  cursorOf: (last: T) => string,
): Page<R> {
  const hasMore = fetched.length > limit;
  const rows = hasMore ? fetched.slice(0, limit) : fetched;
  const last = rows.at(-1);
  return { items: rows.map(map), hasMore, nextCursor: hasMore && last !== undefined ? cursorOf(last) : null };
}

/** The empty page a non-positive limit answers. */
export function emptyPage<T>(): Page<T> {
  return { items: [], hasMore: false, nextCursor: null };
}
