/**
 * The SQLite hot path (prepared better-sqlite3 statements, see src/sqlite-hot-path.ts) shares
 * its one connection with Kysely: a hot write must never run inside a Kysely transaction that is
 * awaiting between its statements (its rollback would take an acknowledged message with it), and
 * the two kinds of writes, mixed, still number messages without gap or repeat.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type SqlChatStore, sqliteStore } from '@parley/adapter-sql';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { conversation, draft } from './fixtures/records.js';

/** Settles to true once `promise` has settled, false while it is pending. */
function tracked(promise: Promise<unknown>): () => boolean {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  return () => settled;
}

describe('sqliteStore hot path and Kysely on one connection', () => {
  let dir: string;
  const stores: SqlChatStore[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-hot-'));
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = (name: string) => {
    const store = sqliteStore({ filename: join(dir, name) });
    stores.push(store);
    return store;
  };

  it('an append waits out a Kysely transaction that awaits mid-way; its rollback keeps the message', async () => {
    const file = 'rollback.db';
    const store = open(file);
    await store.messages.ensureConversation(conversation('c1'));

    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => {
      wrote = resolve;
    });
    const transaction = store.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('parley_conversations')
        .set({ last_version: 99 })
        .where('id', '=', 'c1')
        .execute();
      wrote();
      await released; // the transaction is open, between statements, holding the connection
      throw new Error('roll back');
    });
    await written;

    const append = store.messages.appendMessage(draft('c1', 'm1'));
    const advance = store.messages.advanceCursor('a', 'c1', { readSeq: 1, deliveredSeq: 1 }, new Date());
    const appended = tracked(append);
    const advanced = tracked(advance);
    await sleep(30);
    // Queued behind the transaction, not run inside it.
    expect(appended()).toBe(false);
    expect(advanced()).toBe(false);

    release();
    await expect(transaction).rejects.toThrow('roll back');
    const { message, created } = await append;
    expect(created).toBe(true);
    expect(message.seq).toBe(1);
    const { before, after } = await advance;
    expect(before).toBeNull();
    expect(after).toMatchObject({ readSeq: 1, deliveredSeq: 1 });

    // The rollback undid its own write only; the message, its seq and the cursor stand.
    const stored = await store.messages.getConversation('c1');
    expect(stored).toMatchObject({ lastSeq: 1, lastVersion: 0 });
    await store.close();
    const reopened = open(file);
    expect(await reopened.messages.getMessage('m1')).toMatchObject({ id: 'm1', seq: 1 });
    expect(await reopened.messages.getCursor('a', 'c1')).toMatchObject({ readSeq: 1, deliveredSeq: 1 });
  });

  it('hot-path and Kysely writes mixed number the messages 1…n without gap or repeat', async () => {
    const store = open('mixed.db');
    await store.messages.ensureConversation(conversation('c2'));
    const n = 40;
    // Kysely transactions that hold the connection across a timer, some of them rolled back…
    const kyselyWrites = Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('parley_conversations')
            .set((eb) => ({ last_version: eb('last_version', '+', 1) }))
            .where('id', '=', 'c2')
            .execute();
          await sleep(2);
          if (i % 3 === 0) throw new Error('roll back');
        }),
      ),
    );
    // …and appends arriving all along, while they are open.
    const appends: ReturnType<SqlChatStore['messages']['appendMessage']>[] = [];
    for (let i = 0; i < n; i++) {
      appends.push(
        store.messages.appendMessage(draft('c2', `m${i}`, { clientMsgId: i % 4 === 0 ? `k${i % 8}` : null })),
      );
      await sleep(1);
    }
    const results = await Promise.all(appends);
    const outcomes = await kyselyWrites;
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(4);

    const created = results.filter((r) => r.created).map((r) => r.message);
    // Two clientMsgIds repeat (k0, k4): each repeat answers the first, so n - 8 are created.
    expect(created.map((m) => m.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: n - 8 }, (_, i) => i + 1),
    );
    for (const message of created) expect(await store.messages.getMessage(message.id)).toEqual(message);
    expect(await store.messages.getConversation('c2')).toMatchObject({ lastSeq: n - 8, lastVersion: 6 });
  });

  it('refuses to nest its write in a transaction the host opened by hand on its own database', async () => {
    const database = new Database(join(dir, 'host.db'));
    const store = sqliteStore({ database });
    stores.push(store);
    await store.messages.ensureConversation(conversation('c3'));
    database.exec('begin');
    await expect(store.messages.appendMessage(draft('c3', 'm1'))).rejects.toThrow(/within a transaction/);
    database.exec('rollback');
    await expect(store.messages.appendMessage(draft('c3', 'm1'))).resolves.toMatchObject({ created: true });
    await store.close();
    database.close();
  });

  it('a database that is not better-sqlite3’s keeps every method on Kysely', async () => {
    const database = new Database(join(dir, 'wrapped.db'));
    // Only what Kysely's dialect needs: no transaction() nor inTransaction.
    const store = sqliteStore({
      database: { prepare: (source: string) => database.prepare(source), close: () => database.close() },
    });
    stores.push(store);
    await store.messages.ensureConversation(conversation('c4'));
    const { message } = await store.messages.appendMessage(draft('c4', 'm1'));
    expect(message.seq).toBe(1);
    expect(await store.messages.getMessage('m1')).toEqual(message);
    await store.close();
    database.close();
  });
});
