/** Cursor paging shared by the memoryStore areas: opaque cursors and the page they close. */
import { invalidCursorError } from '../../errors.js';
import type { Page } from '../../ports/store.js';

/** An opaque cursor for `value` (any JSON): callers only hand it back. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The value inside a cursor of {@link encodeCursor}; null when there is none. A cursor this store
 * did not issue is refused with VALIDATION_FAILED, as the port says.
 */
export function decodeCursor<T>(cursor: string | undefined, valid: (value: unknown) => value is T): T | null {
  if (cursor === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursorError();
  }
  if (!valid(value)) throw invalidCursorError();
  return value;
}

/**
 * The first `limit` of `rest` (sorted, already past the cursor) mapped out of the store, with the
 * cursor of the last one served when more follow.
 */
export function firstPage<T, R>(
  rest: readonly T[],
  limit: number,
  map: (item: T) => R,
  cursorOf: (last: T) => string,
): Page<R> {
  const served = rest.slice(0, limit);
  const hasMore = rest.length > served.length;
  const last = served.at(-1);
  return {
    items: served.map(map),
    hasMore,
    nextCursor: hasMore && last !== undefined ? cursorOf(last) : null,
  };
}
