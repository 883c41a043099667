/**
 * Scenario 6, in process: a store holding one private conversation of N messages (filled straight
 * through `store.messages.appendMessage`, as fast as the store takes them), then
 * `engine.messages.privateHistory` timed with random `beforeSeq` cursors. The store call is timed
 * alone too, so a slow page shows whether the engine or the store spends the time.
 * memoryStore always; MongoDB when run.ts passes a loopback URI (a scratch database, dropped after);
 * SQLite (a temp file) and PostgreSQL (a scratch database run.ts creates and drops). The SQL stores
 * are filled with rows bulk-inserted in 10k-row transactions (appends one by one would take most
 * of an hour for 1M on PostgreSQL); their seqs and the conversation's lastSeq are what appends
 * would have left. They also time private sends one after another and the event loop's delay
 * meanwhile (better-sqlite3 runs every statement synchronously on the loop).
 * Run as a child process by run.ts; answers over IPC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { SqlChatStore } from '@parley/adapter-sql';
import {
  type ChatStore,
  createChatEngine,
  type MessageDraft,
  memoryStore,
  privateConversationId,
} from '@parley/chat-core';
import pg from 'pg';
import type { HistoryFigure } from '../lib/results.js';
import { round, sampleRecorder, summarize } from '../lib/stats.js';

interface Settings {
  store: 'memory' | 'mongo' | 'sqlite' | 'postgres';
  /** For `mongo`: a mongodb:// URI on this machine. */
  mongoUri?: string;
  /** For `postgres`: a scratch database's URL. */
  databaseUrl?: string;
  messages: number;
  iterations: number;
  fillBudgetMs: number;
}

const settings = JSON.parse(process.env.BENCH_HISTORY ?? '{}') as Settings;

/** Appends up to `count` messages with `concurrency` appends in flight, until the budget runs out. */
async function fill(
  store: ChatStore,
  a: string,
  b: string,
  count: number,
  budgetMs: number,
  concurrency: number,
) {
  const conversationId = privateConversationId(a, b);
  const created = new Date(Date.now() - count * 10);
  await store.messages.ensureConversation({
    id: conversationId,
    type: 'private',
    memberIds: [a, b].sort(),
    groupId: null,
    lastSeq: 0,
    lastVersion: 0,
    lastMessageAt: null,
    createdAt: created,
  });
  const started = performance.now();
  let next = 0;
  let stored = 0;
  let outOfTime = false;
  const worker = async () => {
    while (!outOfTime && next < count) {
      const i = next++;
      const from = i % 2 === 0 ? a : b;
      const draft: MessageDraft = {
        id: `${i.toString(16).padStart(24, '0')}`,
        conversationId,
        type: 'private',
        senderId: from,
        receiverId: from === a ? b : a,
        groupId: null,
        content: `history message number ${i} with some ordinary text in it`,
        contentType: 'text',
        mentions: [],
        mentionAll: false,
        replyTo: null,
        clientMsgId: null,
        createdAt: new Date(created.getTime() + i * 10),
        recalledAt: null,
        recalledBy: null,
        editedAt: null,
        searchTokens: [],
      };
      await store.messages.appendMessage(draft);
      stored++;
      if ((i & 0x3fff) === 0 && performance.now() - started > budgetMs) outOfTime = true;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { stored, seconds: (performance.now() - started) / 1000 };
}

interface Opened {
  store: ChatStore;
  concurrency: number;
  cleanup(): Promise<void>;
}

/** Bulk-inserts `count` messages into an SQL store's conversation, 10k rows per transaction. */
async function bulkFill(store: SqlChatStore, a: string, b: string, count: number, budgetMs: number) {
  const conversationId = privateConversationId(a, b);
  const created = Date.now() - count * 10;
  await store.messages.ensureConversation({
    id: conversationId,
    type: 'private',
    memberIds: [a, b].sort(),
    groupId: null,
    lastSeq: 0,
    lastVersion: 0,
    lastMessageAt: null,
    createdAt: new Date(created),
  });
  const postgres = store.name === 'postgres';
  const started = performance.now();
  let stored = 0;
  const BATCH = 10_000;
  // Bound parameters per statement stay under both drivers' limits (SQLite 32766, pg 65535).
  const ROWS_PER_INSERT = 2000;
  while (stored < count && performance.now() - started < budgetMs) {
    const upto = Math.min(count, stored + BATCH);
    await store.db.transaction().execute(async (trx) => {
      for (let from = stored; from < upto; from += ROWS_PER_INSERT) {
        const rows = [];
        for (let i = from; i < Math.min(upto, from + ROWS_PER_INSERT); i++) {
          const sender = i % 2 === 0 ? a : b;
          const at = created + i * 10;
          rows.push({
            id: i.toString(16).padStart(24, '0'),
            conversation_id: conversationId,
            type: 'private',
            sender_id: sender,
            receiver_id: sender === a ? b : a,
            group_id: null,
            content: `history message number ${i} with some ordinary text in it`,
            content_type: 'text',
            mentions: '[]',
            mention_all: postgres ? false : 0,
            reply_to: null,
            client_msg_id: null,
            seq: i + 1,
            created_at: postgres ? new Date(at) : at,
            recalled_at: null,
            recalled_by: null,
          });
        }
        await trx.insertInto('parley_messages').values(rows).execute();
      }
      await trx
        .updateTable('parley_conversations')
        .set({
          last_seq: upto,
          last_message_at: postgres ? new Date(created + (upto - 1) * 10) : created + (upto - 1) * 10,
        })
        .where('id', '=', conversationId)
        .execute();
    });
    stored = upto;
  }
  if (postgres) {
    // Fresh statistics, as autovacuum would give a table this size soon after.
    const client = new pg.Client({ connectionString: settings.databaseUrl });
    await client.connect();
    await client.query('analyze parley_messages');
    await client.end();
  }
  return { stored, seconds: (performance.now() - started) / 1000 };
}

async function openStore(): Promise<Opened> {
  if (settings.store === 'memory') return { store: memoryStore(), concurrency: 1, cleanup: async () => {} };
  if (settings.store === 'sqlite') {
    const { sqliteStore } = await import('@parley/adapter-sql');
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-history-'));
    return {
      store: sqliteStore({ filename: join(dir, 'parley.db') }),
      concurrency: 1,
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (settings.store === 'postgres') {
    const { postgresStore } = await import('@parley/adapter-sql');
    return {
      store: postgresStore({ connectionString: settings.databaseUrl ?? '' }),
      concurrency: 16,
      async cleanup() {},
    };
  }
  const uri = settings.mongoUri ?? '';
  const { mongoStore } = await import('@parley/adapter-mongo');
  const mongoose = (await import('mongoose')).default;
  const connection = await mongoose
    .createConnection(uri, { dbName: `parley_bench_history_${process.pid}`, serverSelectionTimeoutMS: 5000 })
    .asPromise();
  return {
    store: mongoStore({ connection }),
    // A network store is filled with appends in flight; seq allocation stays atomic per the port.
    concurrency: 32,
    async cleanup() {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

async function main(): Promise<HistoryFigure> {
  const opened = await openStore();
  const { store } = opened;
  const engine = createChatEngine({
    store,
    config: { jwtSecret: 'bench-history-secret-0123456789', bcryptCost: 4, privateMessagePolicy: 'anyone' },
  });
  const alice = await engine.auth.register({
    email: 'alice@bench.example.com',
    password: 'bench-password-1',
    nickname: 'alice',
  });
  const bob = await engine.auth.register({
    email: 'bob@bench.example.com',
    password: 'bench-password-1',
    nickname: 'bob',
  });
  const a = alice.user.id;
  const b = bob.user.id;
  const sqlStore = store.name === 'sqlite' || store.name === 'postgres' ? (store as SqlChatStore) : null;
  const { stored, seconds } = sqlStore
    ? await bulkFill(sqlStore, a, b, settings.messages, settings.fillBudgetMs)
    : await fill(store, a, b, settings.messages, settings.fillBudgetMs, opened.concurrency);

  const conversationId = privateConversationId(a, b);
  const randomCursor = () => 2 + Math.floor(Math.random() * (stored - 1));
  const warm = Math.min(2000, settings.iterations);
  for (let i = 0; i < warm; i++) {
    await engine.messages.privateHistory(a, b, { beforeSeq: randomCursor() });
    await store.messages.listMessages(conversationId, { beforeSeq: randomCursor(), limit: 50, viewerId: a });
  }
  const engineTimes = sampleRecorder();
  const storeTimes = sampleRecorder();
  const newestTimes = sampleRecorder();
  for (let i = 0; i < settings.iterations; i++) {
    let t = performance.now();
    const page = await engine.messages.privateHistory(a, b, { beforeSeq: randomCursor() });
    engineTimes.add(performance.now() - t);
    if (i === 0 && page.messages.length === 0) throw new Error('privateHistory answered an empty page');
    t = performance.now();
    await store.messages.listMessages(conversationId, { beforeSeq: randomCursor(), limit: 50, viewerId: a });
    storeTimes.add(performance.now() - t);
    if (i % 10 === 0) {
      t = performance.now();
      await engine.messages.privateHistory(a, b, {});
      newestTimes.add(performance.now() - t);
    }
  }
  // Private sends on a store of `stored` messages, one after another (a chat's pace, not a flood),
  // with the event loop's delay sampled meanwhile.
  let send: HistoryFigure['send'];
  let sendLoopDelay: HistoryFigure['sendLoopDelay'];
  if (sqlStore) {
    const sendTimes = sampleRecorder();
    const count = Math.min(2000, settings.iterations);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await engine.messages.sendPrivate(a, { receiverId: b, content: `send ${i}` });
      sendTimes.add(performance.now() - t);
      // Yield to timers between sends, as a server between requests does, so the monitor samples.
      await new Promise((resolve) => setImmediate(resolve));
    }
    loop.disable();
    const st = summarize(sendTimes.values());
    send = { count, p50: round(st.p50, 4), p99: round(st.p99, 4), max: round(st.max, 4) };
    // The histogram counts from the 1 ms resolution up: the delay past it is the blocking.
    sendLoopDelay = {
      p99: round(Math.max(0, loop.percentile(99) / 1e6 - 1), 3),
      max: round(Math.max(0, loop.max / 1e6 - 1), 3),
    };
  }

  const e = summarize(engineTimes.values());
  const s = summarize(storeTimes.values());
  const n = summarize(newestTimes.values());
  await engine.close();
  await opened.cleanup();
  return {
    status: 'ok',
    messages: stored,
    fillSeconds: round(seconds, 2),
    iterations: settings.iterations,
    engine: { p50: round(e.p50, 4), p99: round(e.p99, 4), p999: round(e.p999, 4), max: round(e.max, 4) },
    newest: { p50: round(n.p50, 4), p99: round(n.p99, 4), max: round(n.max, 4) },
    store: { p50: round(s.p50, 4), p99: round(s.p99, 4), max: round(s.max, 4) },
    heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    fill: sqlStore ? 'bulk' : 'append',
    ...(send && { send }),
    ...(sendLoopDelay && { sendLoopDelay }),
  };
}

main().then(
  (figure) => {
    process.send?.({ ok: true, figure }, () => process.exit(0));
  },
  (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.send?.({ ok: false, error: message }, () => process.exit(0));
  },
);
