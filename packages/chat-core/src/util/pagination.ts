import { z } from 'zod';
import type { Paginated } from '../domain/views.js';
import { invalidCursorError } from '../errors.js';
import type { Page, PageQuery } from '../ports/store.js';

/** Default and largest page sizes of every list in the contract. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

/**
 * `limit`: an integer from 1 to 100, default 50. A JSON number only (hosts turn query-string
 * digits into numbers), so `"5"`, `true` or `[5]` are refused rather than guessed at.
 */
export const limitSchema = z
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(1)
  .max(MAX_LIMIT)
  .default(DEFAULT_LIMIT);

/** `{ cursor?, limit? }` of a paginated list. */
export const pageInputSchema = z.object({
  cursor: z.string().min(1).max(512).optional(),
  limit: limitSchema,
});

export type PageInput = z.input<typeof pageInputSchema>;

/** Maps a store page to the wire's paginated shape. */
export function toPaginated<R, V>(page: Page<R>, map: (item: R) => V): Paginated<V> {
  return { items: page.items.map(map), hasMore: page.hasMore, nextCursor: page.nextCursor };
}

export type { Page, PageQuery };

/** A position in a list ordered newest first by a time, then by id: the core's own list cursors. */
export interface TimeIdPosition {
  at: number;
  id: string;
}

/** Encodes a position as an opaque cursor. */
export function encodeTimeIdCursor(position: TimeIdPosition): string {
  return Buffer.from(`${position.at}:${position.id}`, 'utf8').toString('base64url');
}

/** Decodes a cursor of {@link encodeTimeIdCursor}; VALIDATION_FAILED for anything else. */
export function decodeTimeIdCursor(cursor: string): TimeIdPosition {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = raw.indexOf(':');
  const at = Number(raw.slice(0, colon));
  const id = raw.slice(colon + 1);
  if (colon < 1 || !Number.isFinite(at) || id.length === 0) throw invalidCursorError();
  return { at, id };
}

/** Whether `item` comes after `position` in a newest-first (time, then id descending) order. */
export function isAfterPosition(item: TimeIdPosition, position: TimeIdPosition): boolean {
  return item.at < position.at || (item.at === position.at && item.id < position.id);
}

/** Newest-first comparator of positions. */
export function newestFirst(x: TimeIdPosition, y: TimeIdPosition): number {
  return y.at - x.at || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0);
}

/**
 * One page of an in-memory list already sorted newest first, after `cursor`: the slice, whether
 * more follow, and the cursor of the next page.
 */
export function pageOfSorted<T>(
  sorted: readonly T[],
  positionOf: (item: T) => TimeIdPosition,
  query: { cursor?: string | undefined; limit: number },
): Page<T> {
  const after = query.cursor === undefined ? null : decodeTimeIdCursor(query.cursor);
  const rest = after === null ? sorted : sorted.filter((item) => isAfterPosition(positionOf(item), after));
  const items = rest.slice(0, query.limit);
  const hasMore = rest.length > items.length;
  const last = items.at(-1);
  return {
    items,
    hasMore,
    nextCursor: hasMore && last !== undefined ? encodeTimeIdCursor(positionOf(last)) : null,
  };
}
