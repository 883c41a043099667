/**
 * The SQLite store checkpoints its WAL on a worker thread (src/sqlite-checkpointer.ts): the
 * database file takes the committed pages although the store's own connection would only
 * checkpoint at 20,000 WAL pages, and close() stops the worker.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sqliteStore } from '@parley/adapter-sql';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { conversation, draft } from './fixtures/records.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** About a dozen WAL pages per message: 30 of them stay far below SQLite's 1,000-page checkpoint. */
const message = (i: number) =>
  draft('p:a:b', `m-${i}`, {
    content: `message ${i} ${'x'.repeat(2000)}`,
    createdAt: new Date(1_767_225_600_000 + i),
    searchTokens: [],
  });

/** Writes 30 messages, then waits up to `ms` for the database file (not the WAL) to hold them. */
async function fileGrowth(filename: string, backgroundCheckpoints: boolean, ms: number): Promise<number> {
  const store = sqliteStore({ filename, backgroundCheckpoints });
  await store.messages.ensureConversation(conversation('p:a:b', new Date(1_767_225_600_000)));
  // Start from an empty WAL (the migrations' pages copied over), so that only what follows counts.
  const side = new Database(filename);
  side.pragma('wal_checkpoint(TRUNCATE)');
  side.close();
  const before = statSync(filename).size;
  for (let i = 0; i < 30; i++) await store.messages.appendMessage(message(i));
  const until = Date.now() + ms;
  while (statSync(filename).size - before < 30 * 2000 && Date.now() < until) await sleep(20);
  const grown = statSync(filename).size - before;
  await store.close();
  return grown;
}

describe('background WAL checkpoints (SQLite)', () => {
  it('moves committed pages into the database file without the store connection checkpointing', async () => {
    const filename = join(dir, 'background.db');
    expect(await fileGrowth(filename, true, 3000)).toBeGreaterThanOrEqual(30 * 2000);
    // Every message is there for a new connection once the store has closed.
    const check = new Database(filename, { readonly: true });
    expect(check.prepare('select count(*) as n from parley_messages').get()).toEqual({ n: 30 });
    check.close();
  });

  it('leaves the pages in the WAL with backgroundCheckpoints: false until SQLite checkpoints itself', async () => {
    // SQLite's own automatic checkpoint runs at 1,000 pages, inside a commit: the file grows in
    // steps, and the last commits stay in the WAL.
    const filename = join(dir, 'inline.db');
    const store = sqliteStore({ filename, backgroundCheckpoints: false });
    await store.messages.ensureConversation(conversation('p:a:b', new Date(1_767_225_600_000)));
    for (let i = 0; i < 5; i++) await store.messages.appendMessage(message(i));
    const before = statSync(filename).size;
    await sleep(500);
    // Five messages are far below 1,000 pages: nobody checkpointed them.
    expect(statSync(filename).size).toBe(before);
    expect(statSync(`${filename}-wal`).size).toBeGreaterThan(5 * 2000);
    await store.close();
  });
});
