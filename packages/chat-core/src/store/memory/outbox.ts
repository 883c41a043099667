/** The outbox area of `memoryStore()`: pending deliveries by id (one process, so claims are trivially atomic). */
import type { OutboxRecord } from '../../domain/records.js';
import type { OutboxStore } from '../../ports/store.js';

const copy = (e: OutboxRecord): OutboxRecord => ({
  ...e,
  dueAt: new Date(e.dueAt.getTime()),
  leaseUntil: e.leaseUntil === null ? null : new Date(e.leaseUntil.getTime()),
  failedAt: e.failedAt === null ? null : new Date(e.failedAt.getTime()),
  createdAt: new Date(e.createdAt.getTime()),
});

export function memoryOutboxStore(): OutboxStore {
  const byId = new Map<string, OutboxRecord>();

  return {
    async enqueue(entries) {
      for (const entry of entries) if (!byId.has(entry.id)) byId.set(entry.id, copy(entry));
    },
    async claimDue(now, limit, leaseUntil) {
      const t = now.getTime();
      const due = [...byId.values()]
        .filter(
          (e) =>
            e.failedAt === null &&
            e.dueAt.getTime() <= t &&
            (e.leaseUntil === null || e.leaseUntil.getTime() <= t),
        )
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : 1))
        .slice(0, Math.max(0, limit));
      for (const entry of due) {
        entry.leaseUntil = new Date(leaseUntil.getTime());
        entry.attempts += 1;
      }
      return due.map(copy);
    },
    async complete(id) {
      byId.delete(id);
    },
    async reschedule(id, retry) {
      const entry = byId.get(id);
      if (!entry) return;
      entry.dueAt = new Date(retry.dueAt.getTime());
      entry.leaseUntil = null;
      entry.lastError = retry.lastError;
      if (retry.payload !== undefined) entry.payload = retry.payload;
    },
    async fail(id, at, lastError) {
      const entry = byId.get(id);
      if (!entry) return;
      entry.failedAt = new Date(at.getTime());
      entry.leaseUntil = null;
      entry.lastError = lastError;
    },
    async countPending() {
      let n = 0;
      for (const e of byId.values()) if (e.failedAt === null) n += 1;
      return n;
    },
  };
}
