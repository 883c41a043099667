/**
 * Group commit on the SQLite hot path (src/sqlite-group-commit.ts): the private messages and
 * cursor advances asked for in one turn share one commit, each in its own savepoint. What a user of the store relies on: a group
 * writes fewer WAL pages than the same writes one by one, a write that fails takes nothing else
 * with it, a clientMsgId sent twice in one turn is stored once, and a group whose transaction
 * cannot run stores nothing and says so to every writer.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SqlChatStore, sqliteStore } from '@parley/adapter-sql';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { conversation, draft } from './fixtures/records.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-group-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WAL_FRAME_BYTES = 4096 + 24;
const stores: SqlChatStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

/** A store over a database of the test's own, WAL on and never checkpointed, so frames can be counted. */
function openCounted(name: string): { store: SqlChatStore; raw: Database.Database; frames: () => number } {
  const filename = join(dir, name);
  const raw = new Database(filename);
  raw.pragma('journal_mode = WAL');
  raw.pragma('wal_autocheckpoint = 0');
  const store = sqliteStore({ database: raw });
  stores.push(store);
  return { store, raw, frames: () => (statSync(`${filename}-wal`).size - 32) / WAL_FRAME_BYTES };
}

const messages = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => draft(`p:${i % 4}`, `${prefix}-${i}`));

describe('SQLite group commit', () => {
  it('commits the appends of one turn together: far fewer WAL pages than one by one', async () => {
    const { store, raw, frames } = openCounted('pages.db');
    for (let c = 0; c < 4; c++) await store.messages.ensureConversation(conversation(`p:${c}`));
    raw.pragma('wal_checkpoint(TRUNCATE)');

    for (const d of messages('one', 40)) await store.messages.appendMessage(d);
    const oneByOne = frames();
    raw.pragma('wal_checkpoint(TRUNCATE)');

    const together = await Promise.all(messages('all', 40).map((d) => store.messages.appendMessage(d)));
    const grouped = frames();

    expect(together.every((r) => r.created)).toBe(true);
    // Each conversation numbers its messages without gap or repeat, in the order they were asked.
    for (let c = 0; c < 4; c++) {
      const seqs = together.filter((r) => r.message.conversationId === `p:${c}`).map((r) => r.message.seq);
      expect(seqs).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    }
    expect(oneByOne).toBeGreaterThan(40 * 5);
    expect(grouped).toBeLessThan(oneByOne / 4);
  });

  it('a write that fails in a group rejects alone; the others are stored', async () => {
    const { store } = openCounted('failure.db');
    await store.messages.ensureConversation(conversation('p:0'));
    const [first, missing, last] = await Promise.allSettled([
      store.messages.appendMessage(draft('p:0', 'first')),
      store.messages.appendMessage(draft('p:nowhere', 'missing')),
      store.messages.appendMessage(draft('p:0', 'last')),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { created: true, message: { seq: 1 } } });
    expect(missing).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/does not exist/) },
    });
    expect(last).toMatchObject({ status: 'fulfilled', value: { created: true, message: { seq: 2 } } });
    expect(await store.messages.getMessage('missing')).toBeNull();
    expect((await store.messages.getMessage('last'))?.seq).toBe(2);
  });

  it('a write that fails half-way leaves nothing of itself, alone or in a group', async () => {
    const { store } = openCounted('half-way.db');
    await store.messages.ensureConversation(conversation('p:0'));
    await store.messages.appendMessage(draft('p:0', 'dup'));
    // The same id again: the conversation's seq is bumped, then the insert fails on the key.
    await expect(store.messages.appendMessage(draft('p:0', 'dup'))).rejects.toThrow();
    expect((await store.messages.getConversation('p:0'))?.lastSeq).toBe(1);
    const [again, next] = await Promise.allSettled([
      store.messages.appendMessage(draft('p:0', 'dup')),
      store.messages.appendMessage(draft('p:0', 'next')),
    ]);
    expect(again.status).toBe('rejected');
    expect(next).toMatchObject({ status: 'fulfilled', value: { message: { seq: 2 } } });
    expect((await store.messages.getConversation('p:0'))?.lastSeq).toBe(2);
  });

  it('the same clientMsgId twice in one turn is stored once and answered twice', async () => {
    const { store } = openCounted('idempotent.db');
    await store.messages.ensureConversation(conversation('p:0'));
    const [a, b] = await Promise.all([
      store.messages.appendMessage(draft('p:0', 'm-1', { clientMsgId: 'c-1' })),
      store.messages.appendMessage(draft('p:0', 'm-2', { clientMsgId: 'c-1' })),
    ]);
    expect(a).toMatchObject({ created: true, message: { id: 'm-1', seq: 1 } });
    expect(b).toMatchObject({ created: false, message: { id: 'm-1', seq: 1 } });
    expect(await store.messages.getMessage('m-2')).toBeNull();
    expect((await store.messages.getConversation('p:0'))?.lastSeq).toBe(1);
  });

  it('a cursor advance and an append in one turn are both stored', async () => {
    const { store } = openCounted('mixed.db');
    await store.messages.ensureConversation(conversation('p:0'));
    await store.messages.appendMessage(draft('p:0', 'before'));
    const at = new Date('2026-01-01T00:00:00Z');
    const [advanced, appended] = await Promise.all([
      store.messages.advanceCursor('b', 'p:0', { deliveredSeq: 1 }, at),
      store.messages.appendMessage(draft('p:0', 'after')),
    ]);
    expect(advanced.after).toMatchObject({ deliveredSeq: 1 });
    expect(appended.message.seq).toBe(2);
    expect((await store.messages.getCursor('b', 'p:0'))?.deliveredSeq).toBe(1);
  });

  it('a group whose transaction cannot begin stores nothing and rejects every write', async () => {
    const { store, raw } = openCounted('begin.db');
    await store.messages.ensureConversation(conversation('p:0'));
    // A transaction the host opened by hand on its own connection: BEGIN inside BEGIN is refused.
    raw.exec('begin');
    const results = await Promise.allSettled([
      store.messages.appendMessage(draft('p:0', 'x-1')),
      store.messages.appendMessage(draft('p:0', 'x-2')),
    ]);
    raw.exec('rollback');
    for (const result of results) {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: { message: expect.stringMatching(/within a transaction/) },
      });
    }
    expect(await store.messages.getMessage('x-1')).toBeNull();
    expect(await store.messages.getMessage('x-2')).toBeNull();
    expect((await store.messages.getConversation('p:0'))?.lastSeq).toBe(0);
  });
});
