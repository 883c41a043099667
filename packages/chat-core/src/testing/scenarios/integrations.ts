import { expect } from 'vitest';
import type { ChatEngine } from '../../engine.js';
import type { CommittedEvent } from '../../integrations/hooks.js';
import { verifyWebhookSignature } from '../../integrations/webhook-signature.js';
import { privateConversationId } from '../../messaging/conversation-ids.js';
import type { PushOutcome, PushSender, PushTarget } from '../../ports/push-sender.js';
import { SCENARIO_CONFIG, type ScenarioContext } from '../fixtures.js';
import type { ConformanceOptions } from '../harness.js';
import { expectCode, groupOf } from './group-helpers.js';
import { defineScenarios, engineOver } from './scenario-area.js';

const SECRET = 'webhook-secret-for-the-kit-0123';
const HOOK_URL = 'https://hooks.example.test/parley';

interface Posted {
  url: string;
  headers: Record<string, string>;
  body: string;
  event: CommittedEvent;
}

/** A fetch that records webhook POSTs and answers each with the next status (200 when none left). */
function recordingFetch(statuses: number[] = []): { fetch: typeof fetch; posted: Posted[] } {
  const posted: Posted[] = [];
  const queue = [...statuses];
  const fake = async (input: string | URL | Request, init?: RequestInit) => {
    const body = String(init?.body ?? '');
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    posted.push({ url: String(input), headers, body, event: JSON.parse(body) as CommittedEvent });
    return new Response(null, { status: queue.shift() ?? 200 });
  };
  return { fetch: fake as typeof fetch, posted };
}

/** A push sender that records what it was asked to send and answers per endpoint. */
function recordingPush(outcomes: Record<string, PushOutcome[]> = {}): PushSender & {
  sent: { target: PushTarget; payload: Record<string, unknown> }[];
} {
  const sent: { target: PushTarget; payload: Record<string, unknown> }[] = [];
  return {
    publicKey: 'BKitVapidPublicKeyForTests',
    sent,
    async send(target, payload) {
      sent.push({ target, payload: JSON.parse(payload) as Record<string, unknown> });
      return outcomes[target.endpoint]?.shift() ?? { kind: 'sent' };
    },
  };
}

/** A browser-shaped subscription (the keys only have to look right to the engine). */
function browserSubscription(n: number) {
  const p256dh = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, n)]).toString('base64url');
  return {
    endpoint: `https://push.example.test/sub/${n}-${Math.random().toString(36).slice(2)}`,
    expirationTime: null,
    keys: { p256dh, auth: Buffer.alloc(16, n).toString('base64url') },
  };
}

/**
 * Runs delivery rounds until `done` holds (the worker's own timer may run some of them too). The
 * scenario clock stands still, so each round moves it on a little for retries to fall due.
 */
async function deliverUntil(
  ctx: ScenarioContext,
  engine: ChatEngine,
  done: () => boolean | Promise<boolean>,
  rounds = 50,
) {
  for (let i = 0; i < rounds && !(await done()); i += 1) {
    ctx.clock.advance(10);
    await engine.integrations.settled();
    await engine.integrations.worker?.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(await done()).toBe(true);
}

function webhookEngine(ctx: ScenarioContext, fetchImpl: typeof fetch, extra: Record<string, unknown> = {}) {
  return engineOver(ctx, {
    fetch: fetchImpl,
    config: {
      ...SCENARIO_CONFIG,
      webhookUrls: [HOOK_URL],
      webhookSecret: SECRET,
      deliveryBaseDelayMs: 1,
      deliveryMaxDelayMs: 2,
      deliveryPollMs: 20,
      ...extra,
    },
  });
}

/** Engine-level scenarios of hooks, webhooks and offline push. */
export function integrationsScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.hooks', options, (test) => {
    test('beforeSend rewrites content (a word filter): stored, sent and indexed as rewritten', async (ctx) => {
      const engine = engineOver(ctx, {
        hooks: {
          beforeSend: ({ content }) =>
            /darn/i.test(content) ? { content: content.replace(/darn/gi, '****') } : undefined,
        },
      });
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        const heard: string[] = [];
        engine.events.on('new_private_message', (m) => heard.push(m.content));
        const { message } = await engine.messages.sendPrivate(alice.id, {
          receiverId: bob.id,
          content: 'darn it, Darn',
        });
        expect(message.content).toBe('**** it, ****');
        expect(heard).toEqual(['**** it, ****']);
        expect((await ctx.store.messages.getMessage(message.id))?.content).toBe('**** it, ****');
        expect((await engine.messages.search(bob.id, { q: 'darn' })).messages).toEqual([]);
        const clean = await engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'fine' });
        expect(clean.message.content).toBe('fine');
        // Edits pass the same filter.
        const edited = await engine.messages.edit(alice.id, clean.message.id, { content: 'darn again' });
        expect(edited.message.content).toBe('**** again');
      } finally {
        await engine.integrations.close();
      }
    });

    test('beforeSend refusing changes nothing: no message, no seq, no event', async (ctx) => {
      const seen: unknown[] = [];
      const engine = engineOver(ctx, {
        hooks: {
          beforeSend: (input) => {
            seen.push(input);
            if (input.content.includes('spam'))
              return { refuse: 'FORBIDDEN', message: 'Links to spam are not allowed' };
            if (input.content.includes('weird')) return { refuse: 'NOT_A_CODE' as never };
            if (input.content.includes('boom')) throw new Error('filter crashed');
            if (input.content.includes('huge')) return { content: 'x'.repeat(200_000) };
            return undefined;
          },
        },
      });
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        const group = await groupOf(ctx, alice, [bob]);
        const events = ctx.events.length;
        const refused = await expectCode(
          engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'buy spam now' }),
          'FORBIDDEN',
        );
        expect(refused.message).toBe('Links to spam are not allowed');
        await expectCode(
          engine.messages.sendGroup(bob.id, { groupId: group.id, content: 'spam!' }),
          'FORBIDDEN',
        );
        await expectCode(
          engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'weird' }),
          'INTERNAL',
        );
        await expectCode(
          engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'boom' }),
          'INTERNAL',
        );
        await expectCode(
          engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'huge' }),
          'PAYLOAD_TOO_LARGE',
        );
        const conversation = await ctx.store.messages.getConversation(
          privateConversationId(alice.id, bob.id),
        );
        expect(conversation?.lastSeq ?? 0).toBe(0);
        expect(ctx.events.slice(events).filter((e) => e.name.startsWith('new_'))).toEqual([]);
        expect(seen[0]).toMatchObject({
          action: 'send',
          senderId: alice.id,
          conversationType: 'private',
          receiverId: bob.id,
          content: 'buy spam now',
          contentType: 'text',
        });
        expect(seen[1]).toMatchObject({ action: 'send', conversationType: 'group', groupId: group.id });
      } finally {
        await engine.integrations.close();
      }
    });

    test('afterCommit hears every committed event with an id; a failing hook breaks nothing', async (ctx) => {
      const committed: CommittedEvent[] = [];
      const engine = engineOver(ctx, {
        hooks: {
          afterCommit: (event) => {
            committed.push(event);
            throw new Error('the hook is broken');
          },
        },
      });
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        const { message } = await engine.messages.sendPrivate(alice.id, {
          receiverId: bob.id,
          content: 'hello',
        });
        await engine.messages.recall(alice.id, message.id);
        await expect
          .poll(() => committed.map((e) => e.type))
          .toEqual(['new_private_message', 'message_recalled']);
        const [sent] = committed;
        expect(sent?.data).toMatchObject({ id: message.id, content: 'hello' });
        expect(sent?.id).toMatch(/\S/);
        expect(new Set(committed.map((e) => e.id)).size).toBe(2);
        expect(Date.parse(sent?.createdAt ?? '')).not.toBeNaN();
      } finally {
        await engine.integrations.close();
      }
    });
  });

  defineScenarios('engine.webhooks', options, (test) => {
    test('each committed event is POSTed once, signed, as { id, type, createdAt, data }', async (ctx) => {
      const { fetch, posted } = recordingFetch();
      const engine = webhookEngine(ctx, fetch);
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        const { message } = await engine.messages.sendPrivate(alice.id, {
          receiverId: bob.id,
          content: '你好 👋',
        });
        // Acknowledged means durable: the entry is in the outbox before the send answers.
        await engine.presence.typing(alice.id, { to: bob.id, isTyping: true });
        await deliverUntil(ctx, engine, () => posted.length >= 1);
        await deliverUntil(ctx, engine, async () => (await ctx.store.outbox.countPending()) === 0);
        expect(posted.map((p) => p.event.type)).toEqual(['new_private_message']);
        const [post] = posted;
        expect(post?.url).toBe(HOOK_URL);
        expect(post?.headers['content-type']).toBe('application/json');
        expect(post?.event).toMatchObject({
          type: 'new_private_message',
          data: { id: message.id, content: '你好 👋' },
        });
        expect(Object.keys(post?.event ?? {}).sort()).toEqual(['createdAt', 'data', 'id', 'type']);
        expect(verifyWebhookSignature(SECRET, post?.headers['parley-signature'], post?.body ?? '')).toBe(
          true,
        );
        expect(
          verifyWebhookSignature(
            'another-secret-0123456789',
            post?.headers['parley-signature'],
            post?.body ?? '',
          ),
        ).toBe(false);
        expect(verifyWebhookSignature(SECRET, post?.headers['parley-signature'], `${post?.body} `)).toBe(
          false,
        );
        expect(
          verifyWebhookSignature(SECRET, post?.headers['parley-signature'], post?.body ?? '', {
            nowMs: Date.now() + 10 * 60_000,
          }),
        ).toBe(false);
        expect(post?.headers['parley-event-id']).toBe(post?.event.id);
      } finally {
        await engine.integrations.close();
      }
    });

    test('a failing receiver is retried with the same body until it answers 2xx; 410 gives up', async (ctx) => {
      const { fetch, posted } = recordingFetch([503, 500]);
      const engine = webhookEngine(ctx, fetch);
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        await engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'one' });
        await deliverUntil(
          ctx,
          engine,
          async () => posted.length >= 3 && (await ctx.store.outbox.countPending()) === 0,
        );
        expect(posted).toHaveLength(3);
        expect(new Set(posted.map((p) => p.body)).size).toBe(1);
        expect(posted.map((p) => p.headers['parley-delivery-attempt'])).toEqual(['1', '2', '3']);
      } finally {
        await engine.integrations.close();
      }
      const gone = recordingFetch([410]);
      const second = webhookEngine(ctx, gone.fetch);
      try {
        const [carol, dave] = [await ctx.user('Carol'), await ctx.user('Dave')];
        await ctx.befriend(carol, dave);
        await second.messages.sendPrivate(carol.id, { receiverId: dave.id, content: 'two' });
        await deliverUntil(
          ctx,
          second,
          async () => gone.posted.length >= 1 && (await ctx.store.outbox.countPending()) === 0,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(gone.posted.filter((p) => p.event.type === 'new_private_message')).toHaveLength(1);
      } finally {
        await second.integrations.close();
      }
    });

    test('two engines on one store deliver each event once between them', async (ctx) => {
      const a = recordingFetch();
      const b = recordingFetch();
      const nodeA = webhookEngine(ctx, a.fetch, { webhookEvents: ['new_private_message'] });
      const nodeB = webhookEngine(ctx, b.fetch, { webhookEvents: ['new_private_message'] });
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        const sent = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? nodeA : nodeB).messages.sendPrivate(alice.id, {
              receiverId: bob.id,
              content: `m${i}`,
            }),
          ),
        );
        const all = () => [...a.posted, ...b.posted];
        await deliverUntil(ctx, nodeA, async () => {
          await nodeB.integrations.worker?.runOnce();
          return all().length >= 12 && (await ctx.store.outbox.countPending()) === 0;
        });
        await new Promise((resolve) => setTimeout(resolve, 60));
        const ids = all().map((p) => p.event.id);
        expect(new Set(ids).size).toBe(12);
        expect(ids).toHaveLength(12);
        expect(new Set(all().map((p) => (p.event.data as { id: string }).id))).toEqual(
          new Set(sent.map((s) => s.message.id)),
        );
      } finally {
        await Promise.all([nodeA.integrations.close(), nodeB.integrations.close()]);
      }
    });
  });

  defineScenarios('engine.push', options, (test) => {
    test('a message to a user with no connection is pushed after the grace, with title, sender and preview', async (ctx) => {
      const sender = recordingPush();
      const engine = engineOver(ctx, {
        pushSender: sender,
        config: { ...SCENARIO_CONFIG, presenceGraceMs: 3000 },
      });
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        const subscription = browserSubscription(1);
        const { id } = await engine.push.subscribe(bob.id, subscription);
        expect(id).toMatch(/\S/);
        expect(engine.push.config()).toEqual({ enabled: true, publicKey: 'BKitVapidPublicKeyForTests' });
        const { message } = await engine.messages.sendPrivate(alice.id, {
          receiverId: bob.id,
          content: 'Dinner at   eight?\nBring wine',
        });
        expect(await ctx.store.outbox.countPending()).toBe(1);
        await engine.integrations.worker?.runOnce();
        expect(sender.sent).toEqual([]);
        ctx.clock.advance(3000);
        await deliverUntil(ctx, engine, () => sender.sent.length === 1);
        const [push] = sender.sent;
        expect(push?.target).toEqual({ endpoint: subscription.endpoint, keys: subscription.keys });
        expect(push?.payload).toMatchObject({
          type: 'message',
          messageId: message.id,
          conversationId: message.conversationId,
          senderId: alice.id,
          senderName: 'Alice',
          title: 'Alice',
          body: 'Dinner at eight? Bring wine',
        });
        expect(String(push?.payload.url)).toContain(encodeURIComponent(message.conversationId));
        expect(await ctx.store.outbox.countPending()).toBe(0);
      } finally {
        await engine.integrations.close();
      }
    });

    test('no push to a connected user, nor to one who came back, read it, or hid previews (no text then)', async (ctx) => {
      const sender = recordingPush();
      // A grace the test clock controls: nothing falls due before the test has set the scene.
      const engine = engineOver(ctx, {
        pushSender: sender,
        config: { ...SCENARIO_CONFIG, presenceGraceMs: 3000 },
      });
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        await engine.push.subscribe(bob.id, browserSubscription(2));
        await engine.presence.connected(bob.id, 'b-1');
        await engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'you are here' });
        expect(await ctx.store.outbox.countPending()).toBe(0);
        await engine.presence.disconnected(bob.id, 'b-1');

        const read = await engine.messages.sendPrivate(alice.id, {
          receiverId: bob.id,
          content: 'read elsewhere',
        });
        await engine.messages.markRead(bob.id, read.message.conversationId, { seq: read.message.seq });
        ctx.clock.advance(3000);
        await deliverUntil(ctx, engine, async () => (await ctx.store.outbox.countPending()) === 0);
        expect(sender.sent).toEqual([]);

        await engine.users.updateSettings(bob.id, { pushPreviews: false });
        const group = await groupOf(ctx, alice, [bob], { name: 'Climbers' });
        await engine.messages.sendGroup(alice.id, { groupId: group.id, content: 'secret plans' });
        ctx.clock.advance(3000);
        await deliverUntil(ctx, engine, () => sender.sent.length === 1);
        expect(sender.sent[0]?.payload).toMatchObject({
          title: 'Climbers',
          body: 'New message',
          groupName: 'Climbers',
        });
        expect(JSON.stringify(sender.sent[0]?.payload)).not.toContain('secret');
      } finally {
        await engine.integrations.close();
      }
    });

    test('a subscription the push service calls gone is dropped; a failing one alone is retried', async (ctx) => {
      const goneSub = browserSubscription(3);
      const flakySub = browserSubscription(4);
      const fineSub = browserSubscription(5);
      const sender = recordingPush({
        [goneSub.endpoint]: [{ kind: 'gone', status: 410 }],
        [flakySub.endpoint]: [{ kind: 'retry', error: 'HTTP 503' }],
      });
      const engine = engineOver(ctx, {
        pushSender: sender,
        config: { ...SCENARIO_CONFIG, deliveryBaseDelayMs: 1, deliveryMaxDelayMs: 2 },
      });
      try {
        const alice = await ctx.user('Alice');
        const bob = await ctx.user('Bob');
        await ctx.befriend(alice, bob);
        for (const s of [goneSub, flakySub, fineSub]) await engine.push.subscribe(bob.id, s);
        await engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'ping' });
        await deliverUntil(
          ctx,
          engine,
          async () => (await ctx.store.outbox.countPending()) === 0 && sender.sent.length >= 4,
        );
        const endpoints = sender.sent.map((s) => s.target.endpoint);
        expect(endpoints.filter((e) => e === fineSub.endpoint)).toHaveLength(1);
        expect(endpoints.filter((e) => e === goneSub.endpoint)).toHaveLength(1);
        expect(endpoints.filter((e) => e === flakySub.endpoint)).toHaveLength(2);
        const left = await ctx.store.pushSubscriptions.listByUser(bob.id);
        expect(left.map((s) => s.endpoint).sort()).toEqual([flakySub.endpoint, fineSub.endpoint].sort());
      } finally {
        await engine.integrations.close();
      }
    });

    test('a session that ends takes its push subscriptions along: ended elsewhere, logout, logout-all', async (ctx) => {
      const alice = await ctx.user('Alice');
      const phone = await ctx.engine.auth.authenticate(
        (await ctx.engine.auth.login({ email: alice.email, password: alice.password })).token,
      );
      await ctx.engine.push.subscribe(alice.id, browserSubscription(7), phone.jti);
      const desk = await ctx.engine.push.subscribe(alice.id, browserSubscription(8), alice.session.jti);
      await ctx.engine.sessions.end(alice.session, phone.jti);
      expect((await ctx.store.pushSubscriptions.listByUser(alice.id)).map((s) => s.id)).toEqual([desk.id]);
      await ctx.engine.auth.logout(alice.session);
      expect(await ctx.store.pushSubscriptions.listByUser(alice.id)).toEqual([]);

      const tablet = await ctx.engine.auth.login({ email: alice.email, password: alice.password });
      const tabletSession = await ctx.engine.auth.authenticate(tablet.token);
      await ctx.engine.push.subscribe(alice.id, browserSubscription(9), tabletSession.jti);
      await ctx.engine.push.subscribe(alice.id, browserSubscription(10));
      await ctx.engine.auth.logoutAll(alice.id);
      expect(await ctx.store.pushSubscriptions.listByUser(alice.id)).toEqual([]);
    });

    test('subscriptions are checked, kept per user, and only their owner deletes them', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const good = browserSubscription(6);
      for (const bad of [
        {},
        { ...good, endpoint: 'http://push.example.test/plain' },
        { ...good, endpoint: 'not a url' },
        { ...good, keys: { ...good.keys, p256dh: 'short' } },
        { ...good, keys: { ...good.keys, auth: Buffer.alloc(8).toString('base64url') } },
        { endpoint: good.endpoint },
      ]) {
        await expectCode(ctx.engine.push.subscribe(alice.id, bad), 'VALIDATION_FAILED');
      }
      expect(await ctx.store.pushSubscriptions.listByUser(alice.id)).toEqual([]);
      const { id } = await ctx.engine.push.subscribe(alice.id, good);
      // The same browser again: the same subscription.
      expect((await ctx.engine.push.subscribe(alice.id, good)).id).toBe(id);
      await expectCode(ctx.engine.push.unsubscribe(bob.id, id), 'NOT_FOUND');
      await ctx.engine.push.unsubscribe(alice.id, id);
      await expectCode(ctx.engine.push.unsubscribe(alice.id, id), 'NOT_FOUND');
      expect(ctx.engine.push.config()).toEqual({ enabled: false, publicKey: null });
    });
  });
}
