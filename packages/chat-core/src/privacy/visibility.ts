/**
 * What others may see of a user's presence: the one place that applies `showOnline` and
 * `showLastSeen`, used by presence events, friend lists and profiles alike.
 */
import type { PrivacySettings } from '../domain/records.js';

/** A user's presence as the world may see it. */
export interface VisiblePresence {
  online: boolean;
  lastSeenAt: Date | null;
}

/** Applies the user's privacy to their real presence. */
export function visiblePresence(
  privacy: PrivacySettings | undefined,
  online: boolean,
  lastSeenAt: Date | null,
): VisiblePresence {
  return {
    online: online && (privacy?.showOnline ?? true),
    lastSeenAt: (privacy?.showLastSeen ?? true) ? lastSeenAt : null,
  };
}
