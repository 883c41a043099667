/** Who of the user's friends is online, from the friends list and `user_presence`. */

/** A friend's presence as last heard. */
export interface PresenceSnapshot {
  userId: string;
  status: 'online' | 'offline';
  /** When they were last seen, when the server shares it. */
  lastSeenAt: string | null;
}

/** The presence table. */
export interface PresenceTable {
  get(userId: string): PresenceSnapshot | undefined;
  all(): PresenceSnapshot[];
  /** Sets one entry; answers whether anything changed. */
  set(entry: PresenceSnapshot): boolean;
}

/** Creates an empty {@link PresenceTable}. */
export function createPresenceTable(): PresenceTable {
  const entries = new Map<string, PresenceSnapshot>();
  return {
    get: (userId) => entries.get(userId),
    all: () => [...entries.values()],
    set(entry) {
      const previous = entries.get(entry.userId);
      if (previous && previous.status === entry.status && previous.lastSeenAt === entry.lastSeenAt)
        return false;
      entries.set(entry.userId, entry);
      return true;
    },
  };
}
