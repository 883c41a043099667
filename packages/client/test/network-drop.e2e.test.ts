/**
 * The network-drop test: 20 clients exchange bounded streams of private and group messages
 * through a loopback proxy that cuts and stalls connections at random (seeded), with one host
 * restart on SQLite in the middle. At the end every client holds every message of its
 * conversations exactly once, in seq order, and every acknowledged send is stored exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '@parley/adapter-sql';
import type { MessageView, ParleyClient } from '@parley/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosProxy, seededRandom, startChaosProxy } from './chaos-proxy.js';
import { befriend, clientPool, register, startHost, type TestHost, type TestUser, until } from './helpers.js';

const CLIENTS = 20;
const SENDS_PER_CLIENT = 15;
const MAX_CUTS = 60;
const MAX_STALLS = 30;
const SEED = 20240612;
const config = { chat: { eventRateLimit: { perSecond: 1000, burst: 1000, burstWindowMs: 1000 } } };

let dir = '';
let filename = '';
let host: TestHost | undefined;
let proxy: ChaosProxy | undefined;
const pool = clientPool();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-network-drop-'));
  filename = join(dir, 'parley.db');
  host = await startHost({ store: sqliteStore({ filename }), config });
});

afterAll(async () => {
  await pool.closeAll();
  await proxy?.close();
  await host?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function allMessages(user: TestUser, conversationId: string, url: string): Promise<MessageView[]> {
  const { type, target } = conversationId.startsWith('g:')
    ? { type: 'group' as const, target: conversationId.slice(2) }
    : {
        type: 'private' as const,
        target: conversationId.split(':').find((part, i) => i > 0 && part !== user.id) ?? user.id,
      };
  void url;
  const out: MessageView[] = [];
  for (let after = 0; ; ) {
    const page =
      type === 'group'
        ? await user.rest.messages.groupHistory(target, { afterSeq: after, limit: 100 })
        : await user.rest.messages.privateHistory(target, { afterSeq: after, limit: 100 });
    out.push(...page.messages);
    if (!page.hasMore || page.messages.length === 0) return out;
    after = page.messages.at(-1)?.seq ?? after;
  }
}

describe('network drop', () => {
  it('20 clients, random cuts and stalls, one SQLite restart: 0 lost, 0 duplicated', {
    timeout: 90_000,
  }, async () => {
    const started = Date.now();
    const url = (host as TestHost).url;
    const port = (host as TestHost).port;
    const users: TestUser[] = [];
    for (let i = 0; i < CLIENTS; i += 1) users.push(await register(url, `n${i}`));
    const peers = new Map<number, Set<number>>(users.map((_, i) => [i, new Set<number>()]));
    for (let i = 0; i < CLIENTS; i += 1)
      for (const step of [1, 2]) {
        const j = (i + step) % CLIENTS;
        await befriend(users[i] as TestUser, users[j] as TestUser);
        peers.get(i)?.add(j);
        peers.get(j)?.add(i);
      }
    const groupMembers = [
      users.map((_, i) => i).filter((i) => i < 10),
      users.map((_, i) => i).filter((i) => i >= 10),
      users.map((_, i) => i).filter((i) => i % 2 === 0),
    ];
    const groups: { id: string; members: number[] }[] = [];
    for (const members of groupMembers) {
      const owner = users[members[0] as number] as TestUser;
      const { group } = await owner.rest.groups.create({ name: `g${groups.length}`, joinPolicy: 'open' });
      for (const m of members.slice(1)) await (users[m] as TestUser).rest.groups.join(group.id);
      groups.push({ id: group.id, members });
    }

    proxy = await startChaosProxy(() => port);
    const chaosProxy = proxy;
    const clients: ParleyClient[] = users.map((user) =>
      pool.make(chaosProxy.url, user.token, {
        backoff: { minMs: 50, maxMs: 400 },
        ackTimeoutMs: 1500,
        requestTimeoutMs: 2500,
      }),
    );
    await Promise.all(clients.map((c) => c.whenOnline()));

    // Chaos: cuts and stalls at random moments, bounded in count.
    const chaosRandom = seededRandom(SEED);
    let chaosOn = true;
    let chaosTimer: ReturnType<typeof setTimeout> | undefined;
    const chaos = () => {
      if (!chaosOn || (chaosProxy.figures.cuts >= MAX_CUTS && chaosProxy.figures.stalls >= MAX_STALLS))
        return;
      if (chaosRandom() < 0.6 && chaosProxy.figures.cuts < MAX_CUTS) chaosProxy.cut(chaosRandom);
      else if (chaosProxy.figures.stalls < MAX_STALLS)
        chaosProxy.stall(chaosRandom, 200 + chaosRandom() * 1300);
      chaosTimer = setTimeout(chaos, 20 + chaosRandom() * 80);
    };
    chaos();

    // Every acknowledged send, as the outbox reports it.
    const acked = new Map<string, MessageView>();
    for (const client of clients)
      client.on('outbox', ({ entry }) => {
        if (entry.message) acked.set(`${entry.message.senderId}/${entry.clientMsgId}`, entry.message);
      });

    // Bounded streams: each client sends SENDS_PER_CLIENT messages to friends and groups.
    let enqueued = 0;
    let restarts = 0;
    let restarting: Promise<void> | null = null;
    const restart = async () => {
      await (host as TestHost).close();
      host = await startHost({ store: sqliteStore({ filename }), port, config });
      restarts += 1;
    };
    const sendAll = clients.map(async (client, i) => {
      const random = seededRandom(SEED + i + 1);
      const targets = [
        ...[...(peers.get(i) ?? [])].map((j) => ({ to: (users[j] as TestUser).id })),
        ...groups.filter((g) => g.members.includes(i)).map((g) => ({ groupId: g.id })),
      ];
      for (let n = 0; n < SENDS_PER_CLIENT; n += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100 + random() * 400));
        const target = targets[Math.floor(random() * targets.length)] as { to: string } | { groupId: string };
        client.send({ ...target, content: `c${i} #${n}` });
        enqueued += 1;
        if (enqueued === Math.floor((CLIENTS * SENDS_PER_CLIENT) / 2) && !restarting) restarting = restart();
      }
    });
    await Promise.all(sendAll);
    await restarting;
    chaosOn = false;
    if (chaosTimer) clearTimeout(chaosTimer);

    await Promise.all(clients.map((c) => c.outbox.idle()));
    const failed = clients.flatMap((c) => c.outbox.entries().filter((e) => e.state === 'failed'));
    expect(failed).toEqual([]);

    // The server's truth, read straight from the host (not through the proxy).
    const directUrl = (host as TestHost).url;
    const truth = new Map<string, MessageView[]>();
    const conversationsOf = new Map<number, string[]>();
    for (const [i, user] of users.entries()) {
      const list = await user.rest.conversations.list();
      conversationsOf.set(
        i,
        list.map((c) => c.id),
      );
      for (const c of list) if (!truth.has(c.id)) truth.set(c.id, await allMessages(user, c.id, directUrl));
    }

    // Every client catches up: it holds up to each conversation's last seq.
    await Promise.all(
      clients.map((client, i) =>
        until(
          client,
          () =>
            (conversationsOf.get(i) ?? []).every(
              (id) => (client.conversation(id)?.heldSeq ?? 0) >= (truth.get(id)?.at(-1)?.seq ?? 0),
            ),
          20_000,
          `client ${i} to catch up`,
        ),
      ),
    );

    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    let messages = 0;
    for (const stored of truth.values()) {
      messages += stored.length;
      const keys = stored.filter((m) => m.clientMsgId).map((m) => `${m.senderId}/${m.clientMsgId}`);
      duplicated += keys.length - new Set(keys).size;
    }
    const storedKeys = new Set([...truth.values()].flat().map((m) => `${m.senderId}/${m.clientMsgId}`));
    for (const key of acked.keys()) if (!storedKeys.has(key)) lost += 1;
    for (const [i, client] of clients.entries())
      for (const id of conversationsOf.get(i) ?? []) {
        const held = client.messages(id);
        const expected = truth.get(id) ?? [];
        const ids = held.map((m) => m.id);
        duplicated += ids.length - new Set(ids).size;
        const heldIds = new Set(ids);
        lost += expected.filter((m) => !heldIds.has(m.id)).length;
        for (let k = 1; k < held.length; k += 1)
          if ((held[k] as MessageView).seq <= (held[k - 1] as MessageView).seq) outOfOrder += 1;
      }

    const figures = {
      clients: CLIENTS,
      sends: enqueued,
      acknowledged: acked.size,
      messages,
      connections: chaosProxy.figures.connections,
      drops: chaosProxy.figures.cuts,
      stalls: chaosProxy.figures.stalls,
      restarts,
      lost,
      duplicated,
      outOfOrder,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    console.log(`network-drop: ${JSON.stringify(figures)}`);
    expect(restarts).toBe(1);
    expect(acked.size).toBe(CLIENTS * SENDS_PER_CLIENT);
    expect(chaosProxy.figures.cuts).toBeGreaterThan(0);
    expect({ lost, duplicated, outOfOrder }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
  });
});
