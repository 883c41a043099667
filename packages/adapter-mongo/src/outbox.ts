/**
 * The outbox area: `outbox`, pending deliveries. A claim is a loop of single-document
 * `findOneAndUpdate`s, each taking the oldest due entry that is not leased and not failed: every
 * one is atomic on the server (a document another claim changed first no longer matches the
 * filter), so concurrent claims from any nodes never take the same entry.
 */
import type { OutboxKind, OutboxRecord, OutboxStore } from '@parley/chat-core';
import type { Handle } from './connection.js';
import { guard, writeErrorsOf } from './errors.js';
import { fromStoredId, toStoredId } from './ids.js';
import { type Doc, date, dateOrNull, op, stringOrNull } from './paging.js';

function toRecord(doc: Doc): OutboxRecord {
  return {
    id: fromStoredId(doc._id),
    kind: doc.kind as OutboxKind,
    target: String(doc.target),
    payload: String(doc.payload),
    attempts: Number(doc.attempts ?? 0),
    dueAt: date(doc.dueAt),
    leaseUntil: dateOrNull(doc.leaseUntil),
    lastError: stringOrNull(doc.lastError),
    failedAt: dateOrNull(doc.failedAt),
    createdAt: date(doc.createdAt),
  };
}

export function mongoOutboxStore(ready: () => Promise<Handle>): OutboxStore {
  return {
    enqueue: (entries) =>
      guard(async () => {
        if (entries.length === 0) return;
        const { models } = await ready();
        const docs = entries.map((entry) => ({
          _id: toStoredId(entry.id) as never,
          kind: entry.kind,
          target: entry.target,
          payload: entry.payload,
          attempts: entry.attempts,
          dueAt: entry.dueAt,
          leaseUntil: entry.leaseUntil,
          lastError: entry.lastError,
          failedAt: entry.failedAt,
          createdAt: entry.createdAt,
        }));
        try {
          // Unordered: every new id is written even when some exist already.
          await models.outbox.collection.insertMany(docs, { ordered: false });
        } catch (error) {
          // An id that exists keeps its entry (a retried enqueue is harmless); anything else fails.
          const errors = writeErrorsOf(error);
          if (errors.length === 0 || errors.some((e) => e.code !== 11000 && e.code !== 11001)) throw error;
        }
      }),

    claimDue: (now, limit, leaseUntil) =>
      guard(async () => {
        const { models } = await ready();
        const claimed: OutboxRecord[] = [];
        for (let i = 0; i < limit; i++) {
          const doc = await models.outbox
            .findOneAndUpdate(
              {
                failedAt: null,
                dueAt: op({ $lte: now }),
                $or: [{ leaseUntil: null }, { leaseUntil: op({ $lte: now }) }],
              },
              { $set: { leaseUntil }, $inc: { attempts: 1 } },
              { sort: { dueAt: 1, _id: 1 }, returnDocument: 'after' },
            )
            .lean<Doc>();
          if (!doc) break;
          claimed.push(toRecord(doc));
        }
        return claimed;
      }),

    complete: (id) =>
      guard(async () => {
        const { models } = await ready();
        await models.outbox.deleteOne({ _id: toStoredId(id) });
      }),

    reschedule: (id, retry) =>
      guard(async () => {
        const { models } = await ready();
        const set: Doc = { dueAt: retry.dueAt, leaseUntil: null, lastError: retry.lastError };
        if (retry.payload !== undefined) set.payload = retry.payload;
        await models.outbox.updateOne({ _id: toStoredId(id) }, { $set: set });
      }),

    fail: (id, at, lastError) =>
      guard(async () => {
        const { models } = await ready();
        await models.outbox.updateOne(
          { _id: toStoredId(id) },
          { $set: { failedAt: at, leaseUntil: null, lastError } },
        );
      }),

    countPending: () =>
      guard(async () => {
        const { models } = await ready();
        return models.outbox.countDocuments({ failedAt: null });
      }),
  };
}
