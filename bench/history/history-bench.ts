/**
 * Scenario 6, in process: a store holding one private conversation of N messages (filled straight
 * through `store.messages.appendMessage`, as fast as the store takes them), then
 * `engine.messages.privateHistory` timed with random `beforeSeq` cursors. The store call is timed
 * alone too, so a slow page shows whether the engine or the store spends the time.
 * memoryStore always; MongoDB when run.ts passes a loopback URI (a scratch database, dropped after).
 * Run as a child process by run.ts; answers over IPC.
 */
import { performance } from 'node:perf_hooks';
import {
  type ChatStore,
  createChatEngine,
  type MessageDraft,
  memoryStore,
  privateConversationId,
} from '@parley/chat-core';
import type { HistoryFigure } from '../lib/results.js';
import { round, sampleRecorder, summarize } from '../lib/stats.js';

interface Settings {
  store: 'memory' | 'mongo';
  /** For `mongo`: a mongodb:// URI on this machine. */
  mongoUri?: string;
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

async function openStore(): Promise<Opened> {
  if (settings.store === 'memory') return { store: memoryStore(), concurrency: 1, cleanup: async () => {} };
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
    config: { jwtSecret: 'bench-history-secret-0123456789', bcryptCost: 4 },
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
  const { stored, seconds } = await fill(
    store,
    a,
    b,
    settings.messages,
    settings.fillBudgetMs,
    opened.concurrency,
  );

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
