/**
 * The README's start command keeps data: the real `parley` binary on SQLite (the default, in
 * DATA_DIR) and on PostgreSQL (DATABASE_URL) is killed with SIGKILL and started again; accounts,
 * tokens and history are all still there. And crash safety: a stream of acknowledged messages,
 * SIGKILL mid-stream, restart: every acknowledged message is stored exactly once, seqs 1…n with no
 * gap or repeat.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  api,
  type ParleyProcess,
  register,
  startParley,
  stopParleys,
} from './support/parley-bin.js';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  await stopParleys();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The bin with the defaults of these tests (loopback, any port, open private messages, cheap bcrypt). */
function start(env: Record<string, string>): Promise<ParleyProcess> {
  return startParley({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    PRIVATE_MESSAGE_POLICY: 'anyone',
    BCRYPT_COST: '4',
    ...env,
  });
}

interface Message {
  id: string;
  seq: number;
  content: string;
  clientMsgId?: string | null;
}

async function history(base: string, viewer: Account, peer: Account): Promise<Message[]> {
  const all: Message[] = [];
  let afterSeq = 0;
  for (;;) {
    const res = await api(base, 'GET', `/api/messages/private/${peer.id}?afterSeq=${afterSeq}&limit=100`, {
      token: viewer.token,
    });
    expect(res.status).toBe(200);
    const page = res.body.messages as Message[];
    all.push(...page);
    if (!res.body.hasMore || page.length === 0) return all;
    afterSeq = page.at(-1)?.seq ?? afterSeq;
  }
}

interface StoreSetup {
  kind: 'sqlite' | 'postgres';
  env: () => Record<string, string>;
}

function sqliteSetup(): StoreSetup {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-durable-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  });
  return { kind: 'sqlite', env: () => ({ DATA_DIR: dir }) };
}

function postgresSetup(): StoreSetup {
  let dir = '';
  let url = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-durable-pg-'));
    const name = `parley_test_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
      await client.connect().catch((error: unknown) => {
        throw new Error(`PostgreSQL is not reachable at TEST_DATABASE_URL (${TEST_DATABASE_URL}): start it`, {
          cause: error,
        });
      });
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    await admin(`create database "${name}"`);
    const parsed = new URL(TEST_DATABASE_URL);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    cleanups.push(async () => {
      await admin(`drop database if exists "${name}" with (force)`);
      rmSync(dir, { recursive: true, force: true });
    });
  });
  return { kind: 'postgres', env: () => ({ DATABASE_URL: url, DATA_DIR: dir }) };
}

for (const [label, setup] of [
  ['SQLite (the default, in DATA_DIR)', sqliteSetup],
  ['PostgreSQL (DATABASE_URL)', postgresSetup],
] as const) {
  describe(`the parley binary on ${label}`, () => {
    const store = setup();

    it('keeps accounts, tokens and history across a SIGKILL', async () => {
      const first = await start(store.env());
      const health = await api(first.url, 'GET', '/health');
      expect(health.body).toMatchObject({ status: 'ok', store: 'up', storeKind: store.kind });
      expect(first.output()).not.toContain('kept in memory only');
      const ann = await register(first.url, 'Ann');
      const ben = await register(first.url, 'Ben');
      for (const content of ['one', 'two', 'three']) {
        const sent = await api(first.url, 'POST', `/api/messages/private/${ben.id}`, {
          token: ann.token,
          body: { content },
        });
        expect(sent.status).toBe(201);
      }
      await first.kill();

      const second = await start(store.env());
      // The token issued before the kill still works: the generated secret was kept in DATA_DIR.
      const again = await history(second.url, ann, ben);
      expect(again.map((m) => [m.seq, m.content])).toEqual([
        [1, 'one'],
        [2, 'two'],
        [3, 'three'],
      ]);
      const login = await api(second.url, 'POST', '/api/auth/login', {
        body: { email: ben.email, password: 'correct horse' },
      });
      expect(login.status).toBe(200);
      const benNow = { ...ben, token: String(login.body.token) };
      expect((await history(second.url, benNow, ann)).map((m) => m.content)).toEqual(['one', 'two', 'three']);
      const taken = await api(second.url, 'POST', '/api/auth/register', {
        body: { email: ann.email, password: 'another one', nickname: 'Ann2' },
      });
      expect(taken.status).toBe(409);
      if (store.kind === 'sqlite') {
        const secretFile = join(store.env().DATA_DIR ?? '', 'jwt-secret');
        expect(statSync(secretFile).mode & 0o777).toBe(0o600);
        expect(statSync(join(store.env().DATA_DIR ?? '', 'parley.db')).size).toBeGreaterThan(0);
      }
      await second.kill();
    });

    it('crash safety: every acknowledged message survives a SIGKILL mid-stream exactly once, seqs contiguous', async () => {
      const first = await start(store.env());
      const ann = await register(first.url, 'Streamer');
      const ben = await register(first.url, 'Reader');
      const acknowledged = new Map<string, number>();
      let stop = false;
      let sent = 0;
      // Four senders in flight at once; the process is killed while requests are on the wire.
      const sender = async () => {
        while (!stop) {
          const clientMsgId = `c${sent++}`;
          try {
            const res = await api(first.url, 'POST', `/api/messages/private/${ben.id}`, {
              token: ann.token,
              body: { content: `msg ${clientMsgId}`, clientMsgId },
            });
            if (res.status === 201) {
              const message = (res.body as { message: Message }).message;
              acknowledged.set(clientMsgId, message.seq);
            }
          } catch {
            return; // the connection died with the process: not acknowledged
          }
        }
      };
      const senders = [sender(), sender(), sender(), sender()];
      while (acknowledged.size < 60) await new Promise((resolve) => setImmediate(resolve));
      await first.kill();
      stop = true;
      await Promise.all(senders);
      expect(acknowledged.size).toBeGreaterThanOrEqual(60);

      const second = await start(store.env());
      const stored = await history(second.url, ben, ann);
      await second.kill();
      const seqs = stored.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
      const byClientId = new Map<string, Message[]>();
      for (const message of stored) {
        const key = message.clientMsgId ?? '';
        byClientId.set(key, [...(byClientId.get(key) ?? []), message]);
      }
      for (const [clientMsgId, seq] of acknowledged) {
        const copies = byClientId.get(clientMsgId) ?? [];
        expect(copies, `acknowledged ${clientMsgId}`).toHaveLength(1);
        expect(copies[0]?.seq).toBe(seq);
      }
      // At most the requests in flight at the kill were stored without reaching their sender.
      expect(stored.length - acknowledged.size).toBeLessThanOrEqual(4);
    });
  });
}
