import { z } from 'zod';
import type { Paginated } from '../domain/views.js';
import type { Page, PageQuery } from '../ports/store.js';

/** Default and largest page sizes of every list in the contract. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

/** `limit` as it arrives from a query string or payload: 1 to 100, default 50. */
export const limitSchema = z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT);

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
