/**
 * Webhooks in cluster mode across a node kill: three real `parley` processes on one fresh
 * PostgreSQL database and the machine's Redis (a key prefix of this run's own, deleted after), all
 * with the same WEBHOOK_URL, to one slow receiver (support/webhook-receiver.ts). Messages go in
 * through every node, over Socket.IO acks and REST; one node is SIGKILLed while it has deliveries
 * on the wire (the receiver holds its answers until then); the survivors deliver the rest, the
 * killed node's claims once their lease runs out. Every acknowledged message's event reaches the
 * receiver — none missing, one event id per message (the cluster sends each event once, not once
 * per node) — and the repeats the kill causes are counted: allowed, and dropped by id.
 */
import { randomBytes } from 'node:crypto';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  api,
  befriend,
  type ParleyProcess,
  register,
  startParley,
  stopParleys,
} from './support/parley-bin.js';
import { admin, clusterResources, TEST_REDIS_URL } from './support/services.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const run = `${process.pid}_${randomBytes(4).toString('hex')}`;
const SECRET = `whsec-cluster-${randomBytes(12).toString('hex')}`;
/** How long a killed node's claims stay its own (DELIVERY_LEASE_SECONDS). */
const LEASE_SECONDS = 4;
/**
 * What one node's delivery worker has on the wire at most: it claims a batch of 16 and waits for
 * all of them (integrations.ts). So with more than twice that in flight, the third node has some.
 */
const BATCH = 16;

const sockets: Socket[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
let nodes: ParleyProcess[] = [];
let receiver: WebhookReceiver;
let databaseUrl = '';

beforeAll(async () => {
  const resources = await clusterResources('cluster-webhooks', run);
  cleanups.push(() => resources.cleanup());
  const { dataDir, keyPrefix } = resources;
  databaseUrl = resources.databaseUrl;
  receiver = await startWebhookReceiver({ secret: SECRET });
  cleanups.push(() => receiver.close());
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    BCRYPT_COST: '4',
    PRIVATE_MESSAGE_POLICY: 'anyone',
    JWT_SECRET: `cluster-webhooks-${run}-0123456789`,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    EVENT_BURST: '2000',
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_TIMEOUT_SECONDS: '3',
    DELIVERY_LEASE_SECONDS: String(LEASE_SECONDS),
  };
  // One node first, so the migrations run once.
  const first = await startParley(env);
  nodes = [first, ...(await Promise.all([startParley(env), startParley(env)]))];
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await stopParleys();
  for (const cleanup of cleanups.reverse()) await cleanup();
}, 30_000);

const node = (i: number): string => {
  const found = nodes[i];
  if (!found) throw new Error(`no node ${i}`);
  return found.url;
};

async function connect(base: string, token: string): Promise<Socket> {
  const socket = connectClient(base, {
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

const until = async (done: () => boolean | Promise<boolean>, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('webhooks from three parley nodes on PostgreSQL and Redis', () => {
  it('SIGKILL of a node with deliveries on the wire: every acknowledged message reaches the receiver, one event id each; repeats counted', async () => {
    const started = Date.now();
    for (let i = 0; i < 3; i++)
      expect((await api(node(i), 'GET', '/health')).body).toMatchObject({
        storeKind: 'postgres',
        redis: 'up',
      });

    // Per node: a socket writer (private messages to the reader) and a REST writer (group messages).
    const reader = await register(node(0), 'Reader');
    const owner = await register(node(0), 'Owner');
    const socketWriters: Account[] = [];
    const groupWriters: Account[] = [];
    for (let i = 0; i < 3; i++) {
      socketWriters.push(await register(node(i), `Talker${i}`));
      const writer = await register(node(i), `Poster${i}`);
      await befriend(node(i), owner, writer, node((i + 1) % 3));
      groupWriters.push(writer);
    }
    const group = await api<{ group: { id: string } }>(node(1), 'POST', '/api/groups', {
      token: owner.token,
      body: { name: 'Hooked cluster', memberIds: groupWriters.map((w) => w.id) },
    });
    expect(group.status).toBe(201);
    const groupId = group.body.group.id;

    const acknowledged = new Map<string, { node: number; how: 'socket' | 'rest' }>();
    const ackedAfterKill = [0, 0, 0];
    let killed = false;
    let stop = false;
    let n = 0;
    const note = (id: string, at: number, how: 'socket' | 'rest') => {
      acknowledged.set(id, { node: at, how });
      if (killed) ackedAfterKill[at] = (ackedAfterKill[at] ?? 0) + 1;
    };
    const socketWriter = async (at: number) => {
      const writer = socketWriters[at];
      if (!writer) throw new Error('no writer');
      const socket = await connect(node(at), writer.token);
      while (!stop && socket.connected) {
        try {
          const answer = (await socket.timeout(5000).emitWithAck('private_message', {
            receiverId: reader.id,
            content: `socket ${at} #${n}`,
            clientMsgId: `s${at}-${n++}`,
          })) as Ack<{ message: { id: string } }>;
          if (answer.ok) note(answer.data.message.id, at, 'socket');
        } catch {
          return; // the node died with the ack outstanding: not acknowledged
        }
      }
    };
    const restWriter = async (at: number) => {
      const writer = groupWriters[at];
      if (!writer) throw new Error('no writer');
      while (!stop) {
        try {
          const res = await api<{ message: { id: string } }>(
            node(at),
            'POST',
            `/api/messages/group/${groupId}`,
            {
              token: writer.token,
              body: { content: `rest ${at} #${n}`, clientMsgId: `r${at}-${n++}` },
            },
          );
          if (res.status === 201) note(res.body.message.id, at, 'rest');
        } catch {
          return; // the node is gone
        }
      }
    };

    // A slow receiver: the senders' backlog grows, so every worker has full batches on the wire.
    receiver.setDelay(300);
    const writers = [0, 1, 2].flatMap((at) => [socketWriter(at), restWriter(at)]);
    await until(() => acknowledged.size >= 120, 20_000, '120 messages acknowledged');
    // Hold the answers: once more than two batches are on the wire, the third node has some too.
    receiver.hold();
    await until(() => receiver.inFlight > 2 * BATCH, 10_000, `more than ${2 * BATCH} deliveries in flight`);
    const inFlightAtKill = receiver.inFlight;
    const abortedBefore = receiver.aborted;
    const acknowledgedAtKill = acknowledged.size;
    killed = true;
    await nodes[2]?.kill();
    receiver.setDelay(20);
    receiver.release();
    const killedAt = Date.now();
    // The survivors go on taking messages for a while.
    await until(
      () => (ackedAfterKill[0] ?? 0) >= 30 && (ackedAfterKill[1] ?? 0) >= 30,
      20_000,
      'sends after the kill',
    );
    stop = true;
    await Promise.all(writers);
    const abortedByKill = receiver.aborted - abortedBefore;

    // Every acknowledged message's event, then an empty outbox (so late repeats are counted too).
    const delivered = () => {
      const ids = new Set<string>();
      for (const e of receiver.events)
        if (e.type === 'new_private_message' || e.type === 'new_group_message')
          ids.add((e.data as { id: string }).id);
      return ids;
    };
    await receiver.waitFor(() => {
      const ids = delivered();
      return [...acknowledged.keys()].every((id) => ids.has(id));
    }, 30_000);
    const allArrivedAfter = Date.now() - killedAt;
    await until(
      async () =>
        (await admin('select count(*) as n from parley_outbox where failed_at is null', databaseUrl)) === 0,
      15_000,
      'the outbox drained',
    );
    const drainedAfter = Date.now() - killedAt;
    const failed = await admin(
      'select count(*) as n from parley_outbox where failed_at is not null',
      databaseUrl,
    );

    const eventIdsOf = new Map<string, string[]>();
    for (const e of receiver.events) {
      if (e.type !== 'new_private_message' && e.type !== 'new_group_message') continue;
      const id = (e.data as { id: string }).id;
      eventIdsOf.set(id, [...(eventIdsOf.get(id) ?? []), e.id]);
    }
    const missing = [...acknowledged.keys()].filter((id) => !eventIdsOf.has(id));
    const severalEvents = [...eventIdsOf.entries()].filter(([, ids]) => ids.length > 1);
    let messageRepeats = 0;
    for (const id of acknowledged.keys())
      for (const eventId of eventIdsOf.get(id) ?? []) messageRepeats += receiver.repeatsOf(eventId);
    const viaKilled = [...acknowledged.values()].filter((a) => a.node === 2).length;
    const unacknowledgedDelivered = [...eventIdsOf.keys()].filter((id) => !acknowledged.has(id)).length;
    console.log(
      `cluster webhooks: ${acknowledged.size} messages acknowledged (${acknowledgedAtKill} before the kill, ` +
        `${viaKilled} through the killed node; ${[...acknowledged.values()].filter((a) => a.how === 'socket').length} by socket ack); ` +
        `${inFlightAtKill} deliveries in flight at the kill, ${abortedByKill} of them cut off by it; ` +
        `all arrived ${allArrivedAfter} ms after the kill, the outbox empty after ${drainedAfter} ms (lease ${LEASE_SECONDS} s); ` +
        `${missing.length} missing, ${messageRepeats} message repeats by id (${receiver.repeats} of all ` +
        `${receiver.events.length} events), ${severalEvents.length} messages with more than one event id, ` +
        `${unacknowledgedDelivered} events of messages in flight at the kill, ${failed} entries given up; ` +
        `${Date.now() - started} ms in all`,
    );

    expect(viaKilled).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(severalEvents).toEqual([]);
    expect(failed).toBe(0);
    // The kill cut deliveries off mid-request; the survivors sent those again, and the receiver dropped them by id.
    expect(abortedByKill).toBeGreaterThan(0);
    expect(receiver.repeats).toBeGreaterThanOrEqual(abortedByKill);
    expect(receiver.attempts.filter((a) => a.outcome === 'refused')).toEqual([]);
  }, 80_000);
});
