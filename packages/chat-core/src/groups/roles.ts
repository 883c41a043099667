/** Rank rules of group roles: who may manage whom. */
import type { GroupRole } from '../domain/records.js';

const RANK: Record<GroupRole, number> = { owner: 2, admin: 1, member: 0 };

/** Owner and admins run the group: settings, join requests, announcements, adds. */
export function isStaff(role: GroupRole): boolean {
  return role === 'owner' || role === 'admin';
}

/**
 * Whether `actor` may kick, mute or unmute `target`: only by outranking them, so the owner
 * manages everyone and an admin only plain members.
 */
export function outranks(actor: GroupRole, target: GroupRole): boolean {
  return RANK[actor] > RANK[target];
}
