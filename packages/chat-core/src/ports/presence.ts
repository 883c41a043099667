/**
 * The presence port: which users have at least one live connection, on any node. Kept apart from
 * the storage port because it is ephemeral and hot (a Redis-backed one can serve several nodes).
 */
export interface PresenceStore {
  /** Counts a new connection; `becameOnline` is true when it is the user's first one. */
  connect(userId: string, connectionId: string, at: Date): Promise<{ becameOnline: boolean }>;
  /**
   * Forgets a connection; `becameOffline` is true when it was the user's last one, and then
   * `lastSeenAt` is `at`. Forgetting an unknown connection changes nothing.
   */
  disconnect(userId: string, connectionId: string, at: Date): Promise<{ becameOffline: boolean }>;
  /** Whether the user has a live connection now. */
  isOnline(userId: string): Promise<boolean>;
  /** Of these users, those online now. */
  onlineAmong(userIds: readonly string[]): Promise<Set<string>>;
  /** When each of these users was last seen going offline, for those known. */
  lastSeen(userIds: readonly string[]): Promise<Map<string, Date>>;
}

/**
 * An in-process presence store: right for one node, and the default. A user with one connection
 * (the common case) is kept as that connection's id, a Set only from the second one on.
 */
export function memoryPresence(): PresenceStore {
  const connections = new Map<string, string | Set<string>>();
  const seen = new Map<string, Date>();
  return {
    async connect(userId, connectionId) {
      const current = connections.get(userId);
      if (current === undefined) {
        connections.set(userId, connectionId);
        return { becameOnline: true };
      }
      if (typeof current === 'string') {
        if (current !== connectionId) connections.set(userId, new Set([current, connectionId]));
      } else current.add(connectionId);
      return { becameOnline: false };
    },
    async disconnect(userId, connectionId, at) {
      const current = connections.get(userId);
      if (current === undefined) return { becameOffline: false };
      if (typeof current === 'string') {
        if (current !== connectionId) return { becameOffline: false };
      } else {
        if (!current.delete(connectionId)) return { becameOffline: false };
        if (current.size === 1) connections.set(userId, current.values().next().value as string);
        if (current.size > 0) return { becameOffline: false };
      }
      connections.delete(userId);
      seen.set(userId, at);
      return { becameOffline: true };
    },
    async isOnline(userId) {
      return connections.has(userId);
    },
    async onlineAmong(userIds) {
      const online = new Set<string>();
      for (const id of userIds) if (connections.has(id)) online.add(id);
      return online;
    },
    async lastSeen(userIds) {
      const result = new Map<string, Date>();
      for (const id of userIds) {
        const at = seen.get(id);
        if (at) result.set(id, at);
      }
      return result;
    },
  };
}
