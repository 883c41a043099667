/** The push-subscriptions area of `memoryStore()`: by id, with endpoint and per-user indexes. */
import type { PushSubscriptionRecord } from '../../domain/records.js';
import type { PushSubscriptionStore } from '../../ports/store.js';

const copy = (s: PushSubscriptionRecord): PushSubscriptionRecord => ({
  ...s,
  createdAt: new Date(s.createdAt.getTime()),
});

export function memoryPushSubscriptionStore(): PushSubscriptionStore {
  const byId = new Map<string, PushSubscriptionRecord>();
  const idByEndpoint = new Map<string, string>();

  const remove = (id: string) => {
    const found = byId.get(id);
    if (!found) return;
    byId.delete(id);
    idByEndpoint.delete(found.endpoint);
  };

  return {
    async upsert(subscription) {
      const existingId = idByEndpoint.get(subscription.endpoint);
      const existing = existingId === undefined ? undefined : byId.get(existingId);
      if (existing) remove(existing.id);
      // The same browser subscribing again for the same account keeps its id (clients hold it).
      const stored = copy(
        existing && existing.userId === subscription.userId
          ? { ...subscription, id: existing.id, createdAt: existing.createdAt }
          : subscription,
      );
      byId.set(stored.id, stored);
      idByEndpoint.set(stored.endpoint, stored.id);
      return copy(stored);
    },
    async listByUser(userId) {
      // Insertion order is creation order: a Map keeps it.
      return [...byId.values()].filter((s) => s.userId === userId).map(copy);
    },
    async usersWithSubscriptions(userIds) {
      const wanted = new Set(userIds);
      const found = new Set<string>();
      for (const s of byId.values()) if (wanted.has(s.userId)) found.add(s.userId);
      return found;
    },
    async delete(userId, id) {
      const found = byId.get(id);
      if (!found || found.userId !== userId) return false;
      remove(id);
      return true;
    },
    async deleteByEndpoint(endpoint) {
      const id = idByEndpoint.get(endpoint);
      if (id !== undefined) remove(id);
    },
    async deleteBySession(sessionId) {
      for (const s of [...byId.values()]) if (s.sessionId === sessionId) remove(s.id);
    },
    async deleteAllOfUser(userId) {
      for (const s of [...byId.values()]) if (s.userId === userId) remove(s.id);
    },
  };
}
