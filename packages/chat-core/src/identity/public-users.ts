/** Public profiles of many users at once: the lookup every list and event payload shares. */
import { toPublicUser, unknownUser } from '../domain/mappers.js';
import type { PublicUser } from '../domain/views.js';
import type { UserStore } from '../ports/store.js';

/**
 * Public views of these users in one store call (none for an empty list). Every id asked for has
 * an entry: an account that no longer exists shows as {@link unknownUser}, so a list or an event
 * never breaks on a vanished user.
 */
export async function publicUsersById(
  users: Pick<UserStore, 'getByIds'>,
  ids: Iterable<string>,
): Promise<Map<string, PublicUser>> {
  const unique = [...new Set(ids)];
  const found = unique.length === 0 ? [] : await users.getByIds(unique);
  const views = new Map<string, PublicUser>(found.map((u) => [u.id, toPublicUser(u)]));
  for (const id of unique) if (!views.has(id)) views.set(id, unknownUser(id));
  return views;
}

/** The view of `id` from a map built by {@link publicUsersById}. */
export function publicUserIn(users: ReadonlyMap<string, PublicUser>, id: string): PublicUser {
  return users.get(id) ?? unknownUser(id);
}
