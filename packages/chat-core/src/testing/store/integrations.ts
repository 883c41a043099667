import { expect } from 'vitest';
import type { OutboxRecord, PushSubscriptionRecord, SessionRecord } from '../../domain/records.js';
import { objectIdGenerator } from '../../ports/ids.js';
import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

const ids = objectIdGenerator();
const T0 = Date.UTC(2030, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: `jti-${ids.next()}`,
    userId: ids.next(),
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Test/1.0',
    ip: '203.0.113.7',
    createdAt: at(0),
    lastSeenAt: at(0),
    expiresAt: at(86_400),
    ...overrides,
  };
}

function subscription(overrides: Partial<PushSubscriptionRecord> = {}): PushSubscriptionRecord {
  const id = ids.next();
  return {
    id,
    userId: ids.next(),
    endpoint: `https://push.example.test/send/${id}`,
    p256dh: `BPublicKey${id}`,
    auth: `auth${id}`,
    sessionId: null,
    createdAt: at(0),
    ...overrides,
  };
}

function entry(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id: ids.next(),
    kind: 'webhook',
    target: 'https://hooks.example.test/parley',
    payload: JSON.stringify({ id: 'evt', type: 'new_private_message', data: { text: '你好 👋' } }),
    attempts: 0,
    dueAt: at(0),
    leaseUntil: null,
    lastError: null,
    failedAt: null,
    createdAt: at(0),
    ...overrides,
  };
}

/** Store-level conformance of sessions, push subscriptions and the delivery outbox. */
export function integrationsStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.sessions',
    options,
    (_fixture, store) => ({ store, probes: null }),
    (test) => {
      test('create stores a session that get answers in full; unknown ids answer null', async ({ store }) => {
        const s = session({ userAgent: null, ip: null });
        await store.sessions.create(s);
        expect(await store.sessions.get(s.id)).toEqual(s);
        expect(await store.sessions.get('jti-unknown')).toBeNull();
        expect(await store.sessions.touch('jti-unknown', at(5))).toBe(false);
        expect(await store.sessions.delete(s.userId, 'jti-unknown')).toBe(false);
      });

      test('listByUser answers live sessions, most recently seen first, never expired ones', async ({
        store,
      }) => {
        const userId = ids.next();
        const old = session({ userId, lastSeenAt: at(10) });
        const recent = session({ userId, lastSeenAt: at(50) });
        const expired = session({ userId, lastSeenAt: at(90), expiresAt: at(100) });
        const other = session({ lastSeenAt: at(70) });
        for (const s of [old, recent, expired, other]) await store.sessions.create(s);
        expect((await store.sessions.listByUser(userId, at(200))).map((s) => s.id)).toEqual([
          recent.id,
          old.id,
        ]);
        expect(await store.sessions.listByUser(ids.next(), at(200))).toEqual([]);
      });

      test('touch only moves lastSeenAt forward', async ({ store }) => {
        const s = session({ lastSeenAt: at(30) });
        await store.sessions.create(s);
        expect(await store.sessions.touch(s.id, at(60))).toBe(true);
        expect((await store.sessions.get(s.id))?.lastSeenAt).toEqual(at(60));
        expect(await store.sessions.touch(s.id, at(40))).toBe(true);
        expect((await store.sessions.get(s.id))?.lastSeenAt).toEqual(at(60));
      });

      test("delete removes only the owner's session, once", async ({ store }) => {
        const s = session();
        await store.sessions.create(s);
        expect(await store.sessions.delete(ids.next(), s.id)).toBe(false);
        expect(await store.sessions.get(s.id)).not.toBeNull();
        const results = await Promise.all([
          store.sessions.delete(s.userId, s.id),
          store.sessions.delete(s.userId, s.id),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.sessions.get(s.id)).toBeNull();
      });

      test('deleteAllOfUser removes every session of that user and no other', async ({ store }) => {
        const userId = ids.next();
        const mine = [session({ userId }), session({ userId })];
        const theirs = session();
        for (const s of [...mine, theirs]) await store.sessions.create(s);
        await store.sessions.deleteAllOfUser(userId);
        expect(await store.sessions.listByUser(userId, at(1))).toEqual([]);
        expect(await store.sessions.get(theirs.id)).toEqual(theirs);
      });
    },
  );

  defineArea<StoreTestContext>(
    'store.pushSubscriptions',
    options,
    (_fixture, store) => ({ store, probes: null }),
    (test) => {
      test('upsert stores a subscription that listByUser answers, oldest first', async ({ store }) => {
        const userId = ids.next();
        const a = subscription({ userId, createdAt: at(1) });
        const b = subscription({ userId, createdAt: at(2) });
        expect(await store.pushSubscriptions.upsert(a)).toEqual(a);
        await store.pushSubscriptions.upsert(b);
        await store.pushSubscriptions.upsert(subscription());
        expect(await store.pushSubscriptions.listByUser(userId)).toEqual([a, b]);
        expect(await store.pushSubscriptions.listByUser(ids.next())).toEqual([]);
      });

      test('the same endpoint again keeps one row: same owner keeps the id, a new owner takes it over', async ({
        store,
      }) => {
        const first = subscription();
        await store.pushSubscriptions.upsert(first);
        const renewed = await store.pushSubscriptions.upsert({
          ...first,
          id: ids.next(),
          p256dh: 'BNewKey',
          createdAt: at(9),
        });
        expect(renewed.id).toBe(first.id);
        expect(renewed.p256dh).toBe('BNewKey');
        expect(await store.pushSubscriptions.listByUser(first.userId)).toHaveLength(1);

        const newOwner = ids.next();
        const taken = await store.pushSubscriptions.upsert({ ...first, id: ids.next(), userId: newOwner });
        expect(taken.userId).toBe(newOwner);
        expect(await store.pushSubscriptions.listByUser(first.userId)).toEqual([]);
        expect(await store.pushSubscriptions.listByUser(newOwner)).toEqual([taken]);
      });

      test('usersWithSubscriptions answers which of the users have one', async ({ store }) => {
        const a = subscription();
        const b = subscription();
        await store.pushSubscriptions.upsert(a);
        await store.pushSubscriptions.upsert(b);
        await store.pushSubscriptions.upsert(subscription({ userId: a.userId }));
        const found = await store.pushSubscriptions.usersWithSubscriptions([a.userId, ids.next(), b.userId]);
        expect([...found].sort()).toEqual([a.userId, b.userId].sort());
        expect((await store.pushSubscriptions.usersWithSubscriptions([])).size).toBe(0);
      });

      test('deleteBySession removes what that session made; deleteAllOfUser every one of the user', async ({
        store,
      }) => {
        const userId = ids.next();
        const phone = subscription({ userId, sessionId: 'jti-phone' });
        const laptop = subscription({ userId, sessionId: 'jti-laptop' });
        const older = subscription({ userId });
        const other = subscription({ sessionId: 'jti-phone-of-someone' });
        for (const s of [phone, laptop, older, other]) await store.pushSubscriptions.upsert(s);
        expect((await store.pushSubscriptions.listByUser(userId)).map((s) => s.sessionId).sort()).toEqual(
          [null, 'jti-laptop', 'jti-phone'].sort(),
        );
        await store.pushSubscriptions.deleteBySession('jti-phone');
        expect((await store.pushSubscriptions.listByUser(userId)).map((s) => s.id).sort()).toEqual(
          [laptop.id, older.id].sort(),
        );
        // Subscribing again from another session moves the endpoint to it.
        await store.pushSubscriptions.upsert({ ...older, sessionId: 'jti-laptop' });
        await store.pushSubscriptions.deleteBySession('jti-laptop');
        expect(await store.pushSubscriptions.listByUser(userId)).toEqual([]);
        await store.pushSubscriptions.upsert(phone);
        await store.pushSubscriptions.deleteAllOfUser(userId);
        expect(await store.pushSubscriptions.listByUser(userId)).toEqual([]);
        expect(await store.pushSubscriptions.listByUser(other.userId)).toEqual([other]);
      });

      test("delete removes only the owner's subscription; deleteByEndpoint removes it for anyone", async ({
        store,
      }) => {
        const a = subscription();
        const b = subscription();
        await store.pushSubscriptions.upsert(a);
        await store.pushSubscriptions.upsert(b);
        expect(await store.pushSubscriptions.delete(b.userId, a.id)).toBe(false);
        expect(await store.pushSubscriptions.delete(a.userId, a.id)).toBe(true);
        expect(await store.pushSubscriptions.delete(a.userId, a.id)).toBe(false);
        await store.pushSubscriptions.deleteByEndpoint(b.endpoint);
        await store.pushSubscriptions.deleteByEndpoint('https://push.example.test/none');
        expect(await store.pushSubscriptions.listByUser(b.userId)).toEqual([]);
      });
    },
  );

  defineArea<StoreTestContext>(
    'store.outbox',
    options,
    (_fixture, store) => ({ store, probes: null }),
    (test) => {
      test('claimDue answers due entries oldest first, leased and counted, and never twice', async ({
        store,
      }) => {
        const late = entry({ dueAt: at(20) });
        const early = entry({ dueAt: at(10) });
        const future = entry({ dueAt: at(500) });
        await store.outbox.enqueue([late, early, future]);
        const claimed = await store.outbox.claimDue(at(100), 10, at(160));
        expect(claimed.map((e) => e.id)).toEqual([early.id, late.id]);
        expect(claimed[0]).toEqual({ ...early, attempts: 1, leaseUntil: at(160) });
        expect(await store.outbox.claimDue(at(120), 10, at(180))).toEqual([]);
        // The lease ran out (the node died): another claim takes the entries again.
        const again = await store.outbox.claimDue(at(160), 1, at(220));
        expect(again.map((e) => [e.id, e.attempts])).toEqual([[early.id, 2]]);
        expect(await store.outbox.countPending()).toBe(3);
      });

      test('enqueue keeps the first entry of an id and keeps the payload byte for byte', async ({
        store,
      }) => {
        const first = entry({ payload: '{"text":"naïve ✓ 你好","n":1}' });
        await store.outbox.enqueue([first]);
        await store.outbox.enqueue([{ ...first, payload: '{"replaced":true}' }]);
        const [claimed] = await store.outbox.claimDue(at(1), 5, at(60));
        expect(claimed?.payload).toBe(first.payload);
        expect(await store.outbox.countPending()).toBe(1);
      });

      test('concurrent claims never answer the same entry', async ({ store }) => {
        const entries = Array.from({ length: 30 }, (_, i) => entry({ dueAt: at(i) }));
        await store.outbox.enqueue(entries);
        const claims = await Promise.all(
          Array.from({ length: 6 }, () => store.outbox.claimDue(at(100), 8, at(200))),
        );
        const claimedIds = claims.flat().map((e) => e.id);
        expect(new Set(claimedIds).size).toBe(claimedIds.length);
        expect(claimedIds.length).toBe(30);
      });

      test('complete removes; reschedule releases for later with the error and a new payload', async ({
        store,
      }) => {
        const a = entry();
        const b = entry({ kind: 'push', target: ids.next() });
        await store.outbox.enqueue([a, b]);
        await store.outbox.claimDue(at(1), 10, at(60));
        await store.outbox.complete(a.id);
        await store.outbox.reschedule(b.id, { dueAt: at(30), lastError: 'HTTP 503', payload: '{"left":1}' });
        expect(await store.outbox.claimDue(at(29), 10, at(90))).toEqual([]);
        const [retried] = await store.outbox.claimDue(at(30), 10, at(90));
        expect(retried).toMatchObject({
          id: b.id,
          kind: 'push',
          attempts: 2,
          lastError: 'HTTP 503',
          payload: '{"left":1}',
        });
        expect(await store.outbox.countPending()).toBe(1);
      });

      test('fail keeps the entry out of every later claim and of the pending count', async ({ store }) => {
        const a = entry();
        await store.outbox.enqueue([a]);
        await store.outbox.claimDue(at(1), 10, at(60));
        await store.outbox.fail(a.id, at(2), 'HTTP 410 gave up');
        expect(await store.outbox.claimDue(at(1000), 10, at(1060))).toEqual([]);
        expect(await store.outbox.countPending()).toBe(0);
      });
    },
  );
}
