// biome-ignore-all lint/suspicious/noExplicitAny: webhook and wire payloads are read field by field
/**
 * Webhooks end to end, over real HTTP to a receiver written from the contract alone
 * (support/webhook-receiver.ts: its own HMAC check, its own dedupe by id).
 *
 * One host on SQLite in a temporary DATA_DIR: private messages (REST and socket ack), a group
 * message, an edit, a recall and friend requests each reach the receiver once, with their type and
 * the same data the API answered, signed so the receiver accepts them; typing is not sent. The
 * receiver is proven to check: requests the test forges, replays or tampers with are refused. A
 * receiver failing the first attempts gets the same body again, with backoff, until it accepts;
 * 410 Gone stops the retries.
 *
 * Then the real `parley` binary on SQLite: the receiver is down (port closed) while messages are
 * acknowledged, the process is SIGKILLed mid-stream and started again on the same DATA_DIR, the
 * receiver comes back on the same port, and every acknowledged message's webhook arrives.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatStore, memoryStore } from '@parley/chat-core';
import { hostConfig, storeFor } from '@parley/host-express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitWithAck, startServer, type TestServer } from './helpers.js';
import {
  api,
  befriend,
  type ParleyProcess,
  register,
  startParley,
  stopParleys,
} from './support/parley-bin.js';
import {
  type AcceptedWebhook,
  signatureFor,
  startWebhookReceiver,
  type WebhookReceiver,
} from './support/webhook-receiver.js';

const SECRET = `whsec-${randomBytes(12).toString('hex')}`;
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

afterAll(async () => {
  await stopParleys();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Each event's id, once, per message id (the `data.id` of new_*_message). */
function eventsByMessage(events: readonly AcceptedWebhook[]): Map<string, string[]> {
  const byMessage = new Map<string, string[]>();
  for (const event of events) {
    if (event.type !== 'new_private_message' && event.type !== 'new_group_message') continue;
    const messageId = (event.data as { id: string }).id;
    byMessage.set(messageId, [...(byMessage.get(messageId) ?? []), event.id]);
  }
  return byMessage;
}

describe('webhooks from one host on SQLite', () => {
  let receiver: WebhookReceiver;
  let server: TestServer;
  let store: ChatStore;

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
    const config = hostConfig({ dataDir: tempDir('parley-webhooks-') });
    const chosen = await storeFor(config, pino({ level: 'silent' }));
    expect(chosen.kind).toBe('sqlite');
    store = chosen.store;
    server = await startServer({
      store,
      config: {
        chat: {
          webhookUrls: [receiver.url],
          webhookSecret: SECRET,
          deliveryPollMs: 25,
          deliveryBaseDelayMs: 100,
          deliveryMaxDelayMs: 400,
          webhookTimeoutMs: 2000,
          deliveryLeaseMs: 10_000,
        },
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  /** Resolves once the outbox is empty: everything enqueued so far was answered 2xx (or given up). */
  async function drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await store.outbox.countPending()) > 0) {
      if (Date.now() > deadline) throw new Error(`the outbox still holds entries after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('messages (REST and socket), a group message, an edit, a recall and friend requests: each event once, with its type and data, signed', async () => {
    const before = receiver.attempts.length;
    const [ann, ben] = await server.friends();
    const cat = await server.user('Cat');
    const request = await server.api('POST', '/api/friends/add', {
      token: ann.token,
      body: { userId: cat.id },
    });
    expect(request.status).toBe(201);

    const sent = await server.api('POST', `/api/messages/private/${ben.id}`, {
      token: ann.token,
      body: { content: 'hello by REST', clientMsgId: 'rest-1' },
    });
    expect(sent.status).toBe(201);
    const socket = await server.connect(ann.token);
    const acked = await emitWithAck<any>(socket, 'private_message', {
      receiverId: ben.id,
      content: 'hello by socket',
      clientMsgId: 'socket-1',
    });
    expect(acked.ok).toBe(true);
    // Typing is chatter: never a webhook unless WEBHOOK_EVENTS names it.
    socket.emit('typing_status', { to: ben.id, isTyping: true });

    const group = await server.api('POST', '/api/groups', {
      token: ann.token,
      body: { name: 'Hooked', memberIds: [ben.id] },
    });
    expect(group.status).toBe(201);
    const groupId = group.body.group.id;
    const inGroup = await server.api('POST', `/api/messages/group/${groupId}`, {
      token: ben.token,
      body: { content: 'hello group' },
    });
    expect(inGroup.status).toBe(201);

    const edited = await server.api('PATCH', `/api/messages/${sent.body.message.id}`, {
      token: ann.token,
      body: { content: 'hello by REST, edited' },
    });
    expect(edited.status).toBe(200);
    const recalled = await server.api('POST', `/api/messages/${acked.data.message.id}/recall`, {
      token: ann.token,
    });
    expect(recalled.status).toBe(200);

    const privateMessages = [sent.body.message, acked.data.message];
    await receiver.waitFor(
      (events) =>
        events.some((e) => e.type === 'message_recalled') &&
        events.some((e) => e.type === 'message_edited') &&
        events.some((e) => e.type === 'new_group_message' && (e.data as any).id === inGroup.body.message.id),
    );
    await drained();

    // The message events carry exactly the view the sender was answered with.
    const byMessage = eventsByMessage(receiver.events);
    for (const message of [...privateMessages, inGroup.body.message]) {
      expect(byMessage.get(message.id), `events of message ${message.content}`).toHaveLength(1);
    }
    const privateEvents = receiver.ofType<any>('new_private_message');
    for (const message of privateMessages)
      expect(privateEvents.find((e) => e.data.id === message.id)?.data).toEqual(message);
    expect(
      receiver.ofType<any>('new_group_message').find((e) => e.data.id === inGroup.body.message.id)?.data,
    ).toEqual(inGroup.body.message);
    expect(receiver.ofType('message_edited').map((e) => e.data)).toEqual([
      {
        messageId: sent.body.message.id,
        conversationId: sent.body.message.conversationId,
        content: 'hello by REST, edited',
        editedAt: edited.body.message.editedAt,
        version: edited.body.message.version,
      },
    ]);
    expect(receiver.ofType('message_recalled').map((e) => e.data)).toEqual([
      { messageId: acked.data.message.id, conversationId: acked.data.message.conversationId, by: ann.id },
    ]);
    // Ann → Ben (accepted by Ben), Ann → Cat (pending): the views the API answers.
    const requests = receiver.ofType<any>('friend_request');
    expect(requests.map((e) => e.data.toId).sort()).toEqual([ben.id, cat.id].sort());
    expect(requests.find((e) => e.data.toId === cat.id)?.data).toEqual(request.body.request);
    expect(receiver.ofType<any>('friend_request_accepted').map((e) => [e.data.fromId, e.data.toId])).toEqual([
      [ann.id, ben.id],
    ]);
    expect(receiver.ofType('typing_status_update')).toEqual([]);

    // Every request of this test was signed, fresh, accepted the first time and never repeated.
    const mine = receiver.attempts.slice(before);
    expect(mine.filter((a) => a.outcome !== 'accepted')).toEqual([]);
    expect(new Set(mine.map((a) => a.attempt))).toEqual(new Set([1]));
    for (const event of receiver.events) {
      expect(Math.abs(event.signedAt - Date.now() / 1000)).toBeLessThan(60);
      expect(event.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(receiver.repeatsOf(event.id)).toBe(0);
    }
    console.log(
      `one host: ${mine.length} webhook requests, ${receiver.events.length} events accepted ` +
        `(${[...new Set(receiver.events.map((e) => e.type))].join(', ')}), ${receiver.repeats} repeats`,
    );
  });

  it('the receiver checks: a forged, tampered, stale or future-dated request is refused; a good one is accepted once', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      id: `probe-${randomBytes(4).toString('hex')}`,
      type: 'probe',
      createdAt: new Date().toISOString(),
      data: { n: 1 },
    });
    const id = (JSON.parse(body) as { id: string }).id;
    const post = async (payload: string, signature: string | null) => {
      const res = await fetch(receiver.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'Parley-Event-Id': id,
          ...(signature === null ? {} : { 'Parley-Signature': signature }),
        },
        body: payload,
      });
      return [res.status, await res.text()] as const;
    };
    const tampered = body.replace('"n":1', '"n":2');
    const results = {
      unsigned: (await post(body, null))[0],
      wrongSecret: (await post(body, signatureFor(`${SECRET}x`, body, now)))[0],
      tamperedBody: (await post(tampered, signatureFor(SECRET, body, now)))[0],
      stale: (await post(body, signatureFor(SECRET, body, now - 301)))[0],
      future: (await post(body, signatureFor(SECRET, body, now + 301)))[0],
      garbledMac: (await post(body, `t=${now},v1=${'0'.repeat(64)}`))[0],
    };
    expect(results).toEqual({
      unsigned: 400,
      wrongSecret: 401,
      tamperedBody: 401,
      stale: 400,
      future: 400,
      garbledMac: 401,
    });
    expect(receiver.events.some((e) => e.id === id)).toBe(false);
    // The same signer, within the tolerance: accepted; a second copy is a repeat, answered 200.
    expect(await post(body, signatureFor(SECRET, body, now - 250))).toEqual([200, 'accepted']);
    expect(await post(body, signatureFor(SECRET, body, now))).toEqual([200, 'repeat']);
    expect(receiver.events.filter((e) => e.id === id)).toHaveLength(1);
    expect(receiver.repeatsOf(id)).toBe(1);
  });

  it('a receiver failing the first attempts gets the same body again, with backoff, until it accepts; 410 stops the retries', async () => {
    const [ann, ben] = await server.friends();
    const content = (e: { type: string; data: unknown }) =>
      e.type === 'new_private_message' ? (e.data as { content: string }).content : undefined;
    receiver.failNext(3, { status: 500, where: (e) => content(e) === 'retried' });
    receiver.failNext(1, { status: 410, where: (e) => content(e) === 'gone' });
    const send = async (text: string) => {
      const res = await server.api('POST', `/api/messages/private/${ben.id}`, {
        token: ann.token,
        body: { content: text },
      });
      expect(res.status).toBe(201);
      return res.body.message;
    };
    const retried = await send('retried');
    const gone = await send('gone');
    await receiver.waitFor((events) => events.some((e) => (e.data as any)?.id === retried.id));
    await drained();

    const tries = receiver.attempts.filter((a) => a.body.includes(`"id":"${retried.id}"`));
    expect(tries.map((a) => [a.status, a.attempt])).toEqual([
      [500, 1],
      [500, 2],
      [500, 3],
      [200, 4],
    ]);
    // Byte-identical bodies and one event id: the receiver can drop a repeat it did process.
    expect(new Set(tries.map((a) => a.body)).size).toBe(1);
    expect(new Set(tries.map((a) => a.eventIdHeader)).size).toBe(1);
    expect(JSON.parse(tries[0]?.body ?? '{}')).toMatchObject({ type: 'new_private_message', data: retried });
    // Base 100 ms doubled per attempt, half of it jitter: at least 50, 100, 200 ms apart.
    const gaps = tries.slice(1).map((a, i) => a.at.getTime() - (tries[i]?.at.getTime() ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);

    // 410 Gone: one attempt and no more (the outbox is drained, so none is coming).
    const goneTries = receiver.attempts.filter((a) => a.body.includes(`"id":"${gone.id}"`));
    expect(goneTries.map((a) => a.status)).toEqual([410]);
    expect(receiver.events.some((e) => (e.data as any)?.id === gone.id)).toBe(false);
    console.log(`retries: ${tries.length} attempts, ${gaps.map((g) => `${g} ms`).join(', ')} apart`);
  });
});

describe('an outbox write that fails', () => {
  /*
   * A message is answered only once its webhook entries are written: while the outbox cannot be
   * written the send fails (INTERNAL after the write's retries), and the client's resend with the
   * same clientMsgId writes the entries again under the same ids, so the webhook arrives once.
   */
  it('a send is refused while the outbox cannot be written; its resend writes the webhook, delivered once', async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET });
    const base = memoryStore();
    let outboxDown = false;
    const store: ChatStore = {
      ...base,
      outbox: {
        ...base.outbox,
        enqueue: (entries) =>
          outboxDown ? Promise.reject(new Error('outbox unavailable')) : base.outbox.enqueue(entries),
      },
    };
    const server = await startServer({
      store,
      config: {
        chat: {
          webhookUrls: [receiver.url],
          webhookSecret: SECRET,
          deliveryPollMs: 25,
          deliveryBaseDelayMs: 50,
          deliveryMaxDelayMs: 200,
        },
      },
    });
    try {
      const [ann, ben] = await server.friends();
      const send = (content: string, clientMsgId: string) =>
        server.api('POST', `/api/messages/private/${ben.id}`, {
          token: ann.token,
          body: { content, clientMsgId },
        });
      outboxDown = true;
      const first = await send('written while the outbox is down', 'lost-1');
      expect(first.status).toBe(500);
      expect(first.body.error.code).toBe('INTERNAL');
      outboxDown = false;
      const resent = await send('written while the outbox is down', 'lost-1');
      expect(resent.status).toBe(201);
      const id = resent.body.message.id;
      const after = await send('after the outage', 'after-1');
      await receiver.waitFor(
        (events) => events.some((e) => (e.data as any)?.id === after.body.message.id),
        5000,
      );
      console.log(
        `outbox down: the send answered ${first.status}; the resend ${resent.status}; ` +
          `its webhook ${receiver.events.some((e) => (e.data as any)?.id === id) ? 'arrived' : 'never came'}`,
      );
      await receiver.waitFor((events) => events.some((e) => (e.data as any)?.id === id), 3000);
      expect(receiver.events.filter((e) => (e.data as any)?.id === id)).toHaveLength(1);
    } finally {
      await server.close();
      await receiver.close();
    }
  }, 30_000);
});

describe('webhooks across a SIGKILL of the parley binary (SQLite in DATA_DIR)', () => {
  it('the receiver down while messages are acknowledged, the process killed and restarted, the receiver back: every acknowledged message arrives once', async () => {
    const dataDir = tempDir('parley-webhooks-bin-');
    const receiver = await startWebhookReceiver({ secret: SECRET });
    try {
      await receiver.stop(); // down: connections to its port are refused
      const env = {
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        PRIVATE_MESSAGE_POLICY: 'anyone',
        BCRYPT_COST: '4',
        DATA_DIR: dataDir,
        WEBHOOK_URL: receiver.url,
        WEBHOOK_SECRET: SECRET,
        // A killed process's claims are free again after this (it must outlast the POST timeout).
        WEBHOOK_TIMEOUT_SECONDS: '1',
        DELIVERY_LEASE_SECONDS: '2',
      };
      const first: ParleyProcess = await startParley(env);
      const ann = await register(first.url, 'Ann');
      const ben = await register(first.url, 'Ben');
      await befriend(first.url, ann, ben);
      const group = await api<{ group: { id: string } }>(first.url, 'POST', '/api/groups', {
        token: ann.token,
        body: { name: 'Kept', memberIds: [ben.id] },
      });
      expect(group.status).toBe(201);

      const acknowledged = new Map<string, string>(); // message id → clientMsgId
      let stop = false;
      let n = 0;
      // Four writers in flight at once (two private, two group); the kill lands while they send.
      const writer = (path: string, token: string) => async () => {
        while (!stop) {
          const clientMsgId = `m${n++}`;
          try {
            const res = await api<{ message: { id: string } }>(first.url, 'POST', path, {
              token,
              body: { content: `msg ${clientMsgId}`, clientMsgId },
            });
            if (res.status === 201) acknowledged.set(res.body.message.id, clientMsgId);
          } catch {
            return; // the connection died with the process: not acknowledged
          }
        }
      };
      const writers = [
        writer(`/api/messages/private/${ben.id}`, ann.token)(),
        writer(`/api/messages/private/${ann.id}`, ben.token)(),
        writer(`/api/messages/group/${group.body.group.id}`, ann.token)(),
        writer(`/api/messages/group/${group.body.group.id}`, ben.token)(),
      ];
      while (acknowledged.size < 60) await new Promise((resolve) => setImmediate(resolve));
      await first.kill();
      stop = true;
      await Promise.all(writers);
      const refusedWhileDown = first.output();

      const second = await startParley(env);
      await receiver.start(); // the same port
      const started = Date.now();
      await receiver.waitFor((events) => {
        const got = eventsByMessage(events);
        return [...acknowledged.keys()].every((id) => got.has(id));
      }, 30_000);
      const waited = Date.now() - started;
      // A little longer for repeats, if any are coming, to show up in the figures.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await second.kill();

      const got = eventsByMessage(receiver.events);
      const missing = [...acknowledged.keys()].filter((id) => !got.has(id));
      const twice = [...got.values()].filter((ids) => ids.length > 1);
      const messageRepeats = [...acknowledged.keys()].reduce(
        (sum, id) => sum + (got.get(id) ?? []).reduce((s, eventId) => s + receiver.repeatsOf(eventId), 0),
        0,
      );
      const extra = [...got.keys()].filter((id) => !acknowledged.has(id)).length;
      // Parley-Delivery-Attempt of the accepted copies: above 1 where the first process had tried.
      const attemptsSeen = new Map<number, number>();
      for (const event of receiver.events)
        attemptsSeen.set(event.attempt, (attemptsSeen.get(event.attempt) ?? 0) + 1);
      console.log(
        `restart: ${acknowledged.size} messages acknowledged while the receiver was down; after the restart ` +
          `${got.size} message events arrived within ${waited} ms (${extra} of messages in flight at the kill), ` +
          `${missing.length} missing, ${messageRepeats} repeats by id (${receiver.repeats} of all events), ` +
          `${twice.length} messages with more than one event id; accepted at attempt ` +
          [...attemptsSeen]
            .sort(([a], [b]) => a - b)
            .map(([a, count]) => `${a}: ${count}`)
            .join(', '),
      );
      // The failed attempts before the kill were kept: the count went on after the restart.
      expect(Math.max(...attemptsSeen.keys())).toBeGreaterThanOrEqual(2);
      expect(refusedWhileDown).not.toContain('delivery given up');
      expect(missing).toEqual([]);
      expect(twice).toEqual([]);
      // Nothing but the body's own signer: every request was verified.
      expect(receiver.attempts.filter((a) => a.outcome === 'refused')).toEqual([]);
    } finally {
      await receiver.close();
    }
  }, 60_000);
});
