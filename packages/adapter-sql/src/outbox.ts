/**
 * The outbox area: durable deliveries, claimed by one worker at a time. A claim is one
 * `UPDATE … WHERE id IN (due entries in (due_at, id) order, LIMIT n) RETURNING *`:
 * - PostgreSQL: the subquery locks its rows `FOR UPDATE SKIP LOCKED`, so concurrent claims from
 *   any nodes take disjoint entries without waiting on each other, and a row another claim leased
 *   meanwhile is re-checked against the lease and left out.
 * - SQLite: the statement runs in a `BEGIN IMMEDIATE` transaction, so the claim holds the
 *   database's writer lock from its first read (other processes on the file queue behind it).
 */
import type { OutboxKind, OutboxRecord, OutboxStore } from '@parley/chat-core';
import type { Kysely, Selectable } from 'kysely';
import { readDate, readDateOrNull, readInt } from './codec.js';
import type { Database, OutboxTable } from './database.js';
import { guard } from './errors.js';
import type { Ready } from './handle.js';

/** Entries per INSERT (10 parameters each, well under either dialect's limit). */
const ENQUEUE_SLICE = 500;

function toEntry(row: Selectable<OutboxTable>): OutboxRecord {
  return {
    id: row.id,
    kind: row.kind as OutboxKind,
    target: row.target,
    payload: row.payload,
    attempts: row.attempts,
    dueAt: readDate(row.due_at),
    leaseUntil: readDateOrNull(row.lease_until),
    lastError: row.last_error,
    failedAt: readDateOrNull(row.failed_at),
    createdAt: readDate(row.created_at),
  };
}

/** The claim's (due_at, id) order, which RETURNING does not keep. */
const byDue = (a: OutboxRecord, b: OutboxRecord) =>
  a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function sqlOutboxStore(ready: Ready): OutboxStore {
  return {
    enqueue: (entries) =>
      guard(async () => {
        if (entries.length === 0) return;
        const { db, codec } = await ready();
        const rows = entries.map((entry) => ({
          id: entry.id,
          kind: entry.kind,
          target: entry.target,
          payload: entry.payload,
          attempts: entry.attempts,
          due_at: codec.date(entry.dueAt),
          lease_until: codec.dateOrNull(entry.leaseUntil),
          last_error: entry.lastError,
          failed_at: codec.dateOrNull(entry.failedAt),
          created_at: codec.date(entry.createdAt),
        }));
        // An id that exists keeps its entry (a retried enqueue is harmless).
        const insert = (q: Kysely<Database>, slice: typeof rows) =>
          q
            .insertInto('parley_outbox')
            .values(slice)
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        if (rows.length <= ENQUEUE_SLICE) {
          await insert(db, rows);
          return;
        }
        await db.transaction().execute(async (trx) => {
          for (let i = 0; i < rows.length; i += ENQUEUE_SLICE)
            await insert(trx, rows.slice(i, i + ENQUEUE_SLICE));
        });
      }),

    claimDue: (now, limit, leaseUntil) =>
      guard(async () => {
        if (limit <= 0) return [];
        const { db, codec } = await ready();
        const at = codec.date(now);
        const claim = (q: Kysely<Database>) =>
          q
            .updateTable('parley_outbox')
            .set((eb) => ({ lease_until: codec.date(leaseUntil), attempts: eb('attempts', '+', 1) }))
            .where('id', 'in', (eb) => {
              const due = eb
                .selectFrom('parley_outbox')
                .select('id')
                .where('failed_at', 'is', null)
                .where('due_at', '<=', at)
                .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<=', at)]))
                .orderBy('due_at')
                .orderBy('id')
                .limit(Math.trunc(limit));
              return codec.dialect === 'postgres' ? due.forUpdate().skipLocked() : due;
            })
            .returningAll()
            .execute();
        const rows = codec.dialect === 'postgres' ? await claim(db) : await db.transaction().execute(claim);
        return rows.map(toEntry).sort(byDue);
      }),

    complete: (id) =>
      guard(async () => {
        const { db } = await ready();
        await db.deleteFrom('parley_outbox').where('id', '=', id).execute();
      }),

    reschedule: (id, retry) =>
      guard(async () => {
        const { db, codec } = await ready();
        await db
          .updateTable('parley_outbox')
          .set({
            due_at: codec.date(retry.dueAt),
            lease_until: null,
            last_error: retry.lastError,
            ...(retry.payload === undefined ? {} : { payload: retry.payload }),
          })
          .where('id', '=', id)
          .execute();
      }),

    fail: (id, at, lastError) =>
      guard(async () => {
        const { db, codec } = await ready();
        await db
          .updateTable('parley_outbox')
          .set({ failed_at: codec.date(at), lease_until: null, last_error: lastError })
          .where('id', '=', id)
          .execute();
      }),

    countPending: () =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_outbox')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('failed_at', 'is', null)
          .executeTakeFirstOrThrow();
        return readInt(row.n);
      }),
  };
}
