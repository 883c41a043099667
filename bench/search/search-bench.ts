/**
 * The search row, in process: SQLite (a temp file) or PostgreSQL (a scratch database run.ts creates
 * and drops) bulk-filled with N messages, a mix of English and Chinese text, spread over 40 private
 * conversations (the searcher is a party to 20 of them), each row carrying the core's
 * `indexTokens` of its content as the store would have written it (PostgreSQL `search_tokens`,
 * SQLite's FTS5 `search_text` with its time-ordered `search_key`). Then `engine.messages.search` is timed for a
 * few queries (a rare word, a common word, two words, a Chinese pair, a word nowhere), round robin
 * over many calls, and `store.messages.searchMessages` alone too. Fills stop at their time budget.
 * Run as a child process by run-search.ts; answers over IPC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SqlChatStore } from '@parley/adapter-sql';
import { createChatEngine, indexTokens, privateConversationId, queryTokens } from '@parley/chat-core';
import pg from 'pg';
import { round, sampleRecorder, summarize } from '../lib/stats.js';

export interface SearchSettings {
  store: 'sqlite' | 'postgres';
  /** For `postgres`: a scratch database's URL. */
  databaseUrl?: string;
  messages: number;
  iterations: number;
  fillBudgetMs: number;
}

export interface SearchQueryFigure {
  q: string;
  /** Results on the first page (limit 20). */
  hits: number;
  p50: number;
  p99: number;
}

export interface SearchFigure {
  status: 'ok';
  store: 'sqlite' | 'postgres';
  messages: number;
  fillSeconds: number;
  iterations: number;
  conversations: number;
  engine: { p50: number; p99: number; p999: number; max: number };
  store_: { p50: number; p99: number; max: number };
  queries: SearchQueryFigure[];
  heapUsedMB: number;
}

const settings = JSON.parse(process.env.BENCH_SEARCH ?? '{}') as SearchSettings;

const ENGLISH =
  'the a to and of in is for on that with you it at be this are we have meeting lunch project deadline review ship release budget team design tomorrow today please thanks later call notes weekend office train coffee report draft client server database deploy bug fix test plan update status schedule travel ticket hotel flight dinner movie music game book photo birthday party holiday'.split(
    ' ',
  );
/** Words that appear in about one message in a thousand. */
const RARE = ['zebra', 'quokka', 'saxophone', 'marmalade'];
const CHINESE = [
  '大家好',
  '会议记录',
  '明天见',
  '今天下午开会',
  '项目进度',
  '晚饭吃什么',
  '周末去爬山',
  '请查收附件',
  '谢谢你的帮助',
  '东京的天气很好',
  '我们下周出发',
  '服务器升级完成',
];

/** A deterministic pseudo-random stream, so every store holds the same texts. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct texts (with their tokens) the messages cycle through: tokenizing 1M texts is not the point. */
function texts(count: number): { content: string; tokens: string[] }[] {
  const random = mulberry32(15);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  // Zipf-like: early words of the list far more often than late ones.
  const word = () => ENGLISH[Math.floor(ENGLISH.length * random() ** 2)] as string;
  const out: { content: string; tokens: string[] }[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [];
    const kind = random();
    const words = 4 + Math.floor(random() * 10);
    if (kind < 0.6) for (let w = 0; w < words; w++) parts.push(word());
    else if (kind < 0.8) parts.push(pick(CHINESE), pick(CHINESE));
    else parts.push(word(), word(), pick(CHINESE), word(), word());
    if (random() < 0.004) parts.splice(1, 0, pick(RARE));
    parts.push(`#${i}`);
    const content = parts.join(' ');
    out.push({ content, tokens: [...new Set(indexTokens(content))] });
  }
  return out;
}

/** A token as adapter-sql's FTS5 index holds it (the hex of its UTF-8 bytes; see its search.ts). */
const ftsText = (tokens: readonly string[]) =>
  tokens.length === 0 ? null : tokens.map((t) => Buffer.from(t, 'utf8').toString('hex')).join(' ');

async function bulkFill(store: SqlChatStore, pairs: [string, string][], count: number, budgetMs: number) {
  const created = Date.now() - count * 10;
  for (const [a, b] of pairs)
    await store.messages.ensureConversation({
      id: privateConversationId(a, b),
      type: 'private',
      memberIds: [a, b].sort(),
      groupId: null,
      lastSeq: 0,
      lastVersion: 0,
      lastMessageAt: null,
      createdAt: new Date(created),
    });
  // Both parties' cursors, as their first messages would have made (search looks through them).
  for (const [a, b] of pairs)
    for (const user of [a, b])
      await store.messages.advanceCursor(
        user,
        privateConversationId(a, b),
        { readSeq: 0 },
        new Date(created),
      );
  const postgres = store.name === 'postgres';
  const pool = texts(50_000);
  const started = performance.now();
  let stored = 0;
  const BATCH = 10_000;
  // Bound parameters per statement stay under both drivers' limits (SQLite 32766, pg 65535).
  const ROWS_PER_INSERT = 1500;
  while (stored < count && performance.now() - started < budgetMs) {
    const upto = Math.min(count, stored + BATCH);
    await store.db.transaction().execute(async (trx) => {
      for (let from = stored; from < upto; from += ROWS_PER_INSERT) {
        const rows = [];
        for (let i = from; i < Math.min(upto, from + ROWS_PER_INSERT); i++) {
          const [a, b] = pairs[i % pairs.length] as [string, string];
          const sender = i % 2 === 0 ? a : b;
          const at = created + i * 10;
          const text = pool[i % pool.length]!;
          rows.push({
            id: i.toString(16).padStart(24, '0'),
            conversation_id: privateConversationId(a, b),
            type: 'private',
            sender_id: sender,
            receiver_id: sender === a ? b : a,
            group_id: null,
            content: text.content,
            content_type: 'text',
            mentions: '[]',
            mention_all: postgres ? false : 0,
            reply_to: null,
            client_msg_id: null,
            seq: Math.floor(i / pairs.length) + 1,
            created_at: postgres ? new Date(at) : at,
            recalled_at: null,
            recalled_by: null,
            ...(postgres
              ? { search_tokens: text.tokens }
              : // Its time key (adapter-sql's search.ts): created_at in ms times 2^20, one message a ms.
                { search_key: BigInt(at) * 1_048_576n, search_text: ftsText(text.tokens) }),
          });
        }
        // The search columns are not in the row type Kysely was given for the base table.
        await trx
          .insertInto('parley_messages')
          .values(rows as never)
          .execute();
      }
    });
    stored = upto;
  }
  // Each conversation's lastSeq as the appends would have left it.
  for (let c = 0; c < pairs.length; c++) {
    const [a, b] = pairs[c] as [string, string];
    const lastSeq = Math.floor(Math.max(0, stored - 1 - c) / pairs.length) + (stored > c ? 1 : 0);
    await store.db
      .updateTable('parley_conversations')
      .set({ last_seq: lastSeq })
      .where('id', '=', privateConversationId(a, b))
      .execute();
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

async function openStore(): Promise<{ store: SqlChatStore; cleanup(): Promise<void> }> {
  const { sqliteStore, postgresStore } = await import('@parley/adapter-sql');
  if (settings.store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-search-'));
    return {
      store: sqliteStore({ filename: join(dir, 'parley.db') }) as SqlChatStore,
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  return {
    store: postgresStore({ connectionString: settings.databaseUrl ?? '' }) as SqlChatStore,
    async cleanup() {},
  };
}

/** The queries timed: a rare word, common words, two words, Chinese pairs, a word nowhere. */
export const QUERIES = ['zebra', 'meeting', 'project deadline', '会议', '项目进度', 'xylophone'];

async function main(): Promise<SearchFigure> {
  const { store, cleanup } = await openStore();
  const engine = createChatEngine({
    store,
    config: { jwtSecret: 'bench-search-secret-0123456789ab', bcryptCost: 4, privateMessagePolicy: 'anyone' },
  });
  const users: string[] = [];
  for (let u = 0; u < 41; u++) {
    const { user } = await engine.auth.register({
      email: `user${u}@bench.example.com`,
      password: 'bench-password-1',
      nickname: `user${u}`,
    });
    users.push(user.id);
  }
  const searcher = users[0]!;
  // 20 conversations of the searcher's, 20 between others it must never see.
  const pairs: [string, string][] = [];
  for (let i = 1; i <= 20; i++) pairs.push([searcher, users[i]!]);
  for (let i = 21; i <= 40; i++) pairs.push([users[i]!, users[i === 40 ? 1 : i + 1]!]);
  const { stored, seconds } = await bulkFill(store, pairs, settings.messages, settings.fillBudgetMs);
  const conversationIds = pairs.slice(0, 20).map(([a, b]) => privateConversationId(a, b));

  const hits = new Map<string, number>();
  for (const q of QUERIES) {
    const page = await engine.messages.search(searcher, { q, limit: 20 });
    hits.set(q, page.messages.length);
    for (const m of page.messages)
      if (!conversationIds.includes(m.conversationId)) throw new Error(`search of "${q}" leaked a message`);
  }
  const warm = Math.min(300, settings.iterations);
  for (let i = 0; i < warm; i++)
    await engine.messages.search(searcher, { q: QUERIES[i % QUERIES.length]!, limit: 20 });

  const engineTimes = sampleRecorder();
  const storeTimes = sampleRecorder();
  const perQuery = new Map(QUERIES.map((q) => [q, sampleRecorder()]));
  for (let i = 0; i < settings.iterations; i++) {
    const q = QUERIES[i % QUERIES.length]!;
    let t = performance.now();
    await engine.messages.search(searcher, { q, limit: 20 });
    const ms = performance.now() - t;
    engineTimes.add(ms);
    perQuery.get(q)!.add(ms);
    t = performance.now();
    await store.messages.searchMessages({
      tokens: queryTokens(q),
      conversationIds,
      viewerId: searcher,
      limit: 20,
    });
    storeTimes.add(performance.now() - t);
  }
  const e = summarize(engineTimes.values());
  const s = summarize(storeTimes.values());
  await engine.close();
  await cleanup();
  return {
    status: 'ok',
    store: settings.store,
    messages: stored,
    fillSeconds: round(seconds, 2),
    iterations: settings.iterations,
    conversations: pairs.length,
    engine: { p50: round(e.p50, 4), p99: round(e.p99, 4), p999: round(e.p999, 4), max: round(e.max, 4) },
    store_: { p50: round(s.p50, 4), p99: round(s.p99, 4), max: round(s.max, 4) },
    queries: QUERIES.map((q) => {
      const st = summarize(perQuery.get(q)!.values());
      return { q, hits: hits.get(q) ?? 0, p50: round(st.p50, 3), p99: round(st.p99, 3) };
    }),
    heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
}

// Only as run-search.ts's child (it passes BENCH_SEARCH), so the types above can be imported.
if (process.env.BENCH_SEARCH)
  main().then(
    (figure) => {
      process.send?.({ ok: true, figure }, () => process.exit(0));
    },
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send?.({ ok: false, error: message }, () => process.exit(0));
    },
  );
