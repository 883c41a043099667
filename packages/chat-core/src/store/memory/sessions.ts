/** The sessions area of `memoryStore()`: signed-in devices by id, with a per-user index. */
import type { SessionRecord } from '../../domain/records.js';
import type { SessionStore } from '../../ports/store.js';

const copy = (s: SessionRecord): SessionRecord => ({
  ...s,
  createdAt: new Date(s.createdAt.getTime()),
  lastSeenAt: new Date(s.lastSeenAt.getTime()),
  expiresAt: new Date(s.expiresAt.getTime()),
});

/** Most recently seen first, then by id, as the port orders a user's sessions. */
const byRecency = (a: SessionRecord, b: SessionRecord) =>
  b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function memorySessionStore(): SessionStore {
  const byId = new Map<string, SessionRecord>();
  const idsByUser = new Map<string, Set<string>>();

  const forget = (session: SessionRecord) => {
    byId.delete(session.id);
    const ids = idsByUser.get(session.userId);
    ids?.delete(session.id);
    if (ids?.size === 0) idsByUser.delete(session.userId);
  };

  return {
    async create(session) {
      const old = byId.get(session.id);
      if (old) forget(old);
      byId.set(session.id, copy(session));
      const ids = idsByUser.get(session.userId) ?? new Set<string>();
      ids.add(session.id);
      idsByUser.set(session.userId, ids);
    },
    async get(id) {
      const session = byId.get(id);
      return session ? copy(session) : null;
    },
    async listByUser(userId, now) {
      const live: SessionRecord[] = [];
      for (const id of idsByUser.get(userId) ?? []) {
        const session = byId.get(id);
        if (!session) continue;
        // Expired sessions are purged as they are met, so the map never grows without bound.
        if (session.expiresAt.getTime() <= now.getTime()) forget(session);
        else live.push(session);
      }
      return live.sort(byRecency).slice(0, 100).map(copy);
    },
    async touch(id, at) {
      const session = byId.get(id);
      if (!session) return false;
      if (at.getTime() > session.lastSeenAt.getTime()) session.lastSeenAt = new Date(at.getTime());
      return true;
    },
    async delete(userId, id) {
      const session = byId.get(id);
      if (!session || session.userId !== userId) return false;
      forget(session);
      return true;
    },
    async deleteAllOfUser(userId) {
      for (const id of idsByUser.get(userId) ?? []) byId.delete(id);
      idsByUser.delete(userId);
    },
  };
}
