/** Room names: every socket of a user is in `user:<id>`, every member's socket in `group:<id>`. */

/** Prefix of every group room. */
export const GROUP_ROOM_PREFIX = 'group:';

/** The room holding every socket of a user. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** The room holding every member's sockets of a group. */
export function groupRoom(groupId: string): string {
  return `${GROUP_ROOM_PREFIX}${groupId}`;
}
