/** Shapes shared by the paginated REST lists. */

/** `?cursor&limit` of a cursor-paginated list. `limit` is 1 to 100 (default 50). */
export interface PageQuery {
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** A page of a cursor-paginated list: the items under `K`, `hasMore` and `nextCursor`. */
export type CursorPage<K extends string, T> = { [P in K]: T[] } & {
  hasMore: boolean;
  nextCursor: string | null;
};
