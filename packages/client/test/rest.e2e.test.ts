/** The REST helpers against a real host: typed answers, and failures as ParleyError with the contract's code. */
import { createParleyRest, isParleyError, type ParleyError } from '@parley/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, register, startHost, type TestHost } from './helpers.js';

let server: TestHost;
let limited: TestHost;
beforeAll(async () => {
  server = await startHost();
  // A tiny event budget, to see RATE_LIMITED with retryAfterMs.
  limited = await startHost({
    config: { chat: { eventRateLimit: { perSecond: 1, burst: 2, burstWindowMs: 60_000 } } },
  });
});
afterAll(async () => {
  await server?.close();
  await limited?.close();
});

async function failure(promise: Promise<unknown>): Promise<ParleyError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isParleyError(error), String(error)).toBe(true);
  return error as ParleyError;
}

describe('REST helpers', () => {
  it('register, login, me, profile, search, health', async () => {
    const alice = await register(server.url, 'Alice');
    const rest = createParleyRest({ url: server.url });
    const login = await rest.auth.login({ email: alice.email, password: alice.password });
    expect(login.user.id).toBe(alice.id);
    const authed = createParleyRest({ url: server.url, token: login.token });
    expect((await authed.users.me()).user.email).toBe(alice.email);
    expect((await authed.users.updateMe({ bio: 'hi' })).user.bio).toBe('hi');
    const bob = await register(server.url, 'Bobby');
    expect((await authed.users.get(bob.id)).user.nickname).toBe('Bobby');
    expect((await authed.users.search('Bobb')).users.map((u) => u.id)).toContain(bob.id);
    expect(await rest.health()).toMatchObject({ status: 'ok', store: 'up' });
  });

  it('friends, requests, blacklist, conversations, history, sends, recall, read, groups, invites', async () => {
    const a = await register(server.url);
    const b = await register(server.url);
    const { request } = await a.rest.friends.add({ userId: b.id, message: 'hey' });
    expect((await b.rest.friends.requests()).requests.map((r) => r.id)).toEqual([request.id]);
    await b.rest.friends.accept(request.id);
    expect((await a.rest.friends.list()).friends.map((f) => f.user.id)).toEqual([b.id]);

    const { message } = await a.rest.messages.sendPrivate(b.id, { content: 'one', clientMsgId: 'rest-1' });
    const again = await a.rest.messages.sendPrivate(b.id, { content: 'one', clientMsgId: 'rest-1' });
    expect(again.message.id).toBe(message.id);
    await a.rest.messages.sendPrivate(b.id, { content: 'two' });
    const page = await b.rest.messages.privateHistory(a.id, { afterSeq: 0 });
    expect(page.messages.map((m) => m.seq)).toEqual([1, 2]);
    const [conversation] = await b.rest.conversations.list();
    expect(conversation).toMatchObject({ id: message.conversationId, lastSeq: 2, unreadCount: 2 });
    await b.rest.conversations.markRead(message.conversationId, 2);
    expect((await b.rest.conversations.list())[0]?.unreadCount).toBe(0);
    expect((await a.rest.messages.recall(message.id)).message).toMatchObject({ recalled: true, content: '' });

    const { group } = await a.rest.groups.create({ name: 'Team', memberIds: [b.id] });
    expect((await b.rest.groups.list()).groups.map((g) => g.id)).toContain(group.id);
    expect((await a.rest.groups.members(group.id)).members).toHaveLength(2);
    await a.rest.messages.sendGroup(group.id, { content: 'hello team' });
    expect((await b.rest.messages.groupHistory(group.id)).messages.at(-1)?.content).toBe('hello team');
    const qr = await a.rest.groups.qrCode(group.id, 'svg');
    const c = await register(server.url);
    expect((await c.rest.invites.get(qr.token)).kind).toBe('group');
    expect(await c.rest.invites.redeem(qr.token)).toMatchObject({ kind: 'group', joined: true });

    await b.rest.blacklist.add(c.id);
    expect((await b.rest.blacklist.list()).users.map((u) => u.id)).toEqual([c.id]);
    await b.rest.blacklist.remove(c.id);
    await a.rest.friends.remove(b.id);
    expect((await a.rest.friends.list()).friends).toEqual([]);
  });

  it('answers refusals as ParleyError with code, status and details', async () => {
    const a = await register(server.url);
    const b = await register(server.url);
    const notFriends = await failure(a.rest.messages.sendPrivate(b.id, { content: 'hi' }));
    expect(notFriends).toMatchObject({ code: 'NOT_FRIENDS', status: 403 });
    expect(notFriends.transient).toBe(false);
    const invalid = await failure(a.rest.groups.create({ name: '' }));
    expect(invalid).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(invalid.details?.fields).toBeDefined();
    const wrong = await failure(
      createParleyRest({ url: server.url }).auth.login({ email: a.email, password: 'wrong password!' }),
    );
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    const noToken = await failure(createParleyRest({ url: server.url }).users.me());
    expect(noToken).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('carries retryAfterMs on RATE_LIMITED', async () => {
    const a = await register(limited.url);
    const b = await register(limited.url);
    await befriend(a, b);
    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4].map((n) => a.rest.messages.sendPrivate(b.id, { content: `n${n}` })),
    );
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult | undefined;
    expect(refused).toBeDefined();
    const error = refused?.reason as ParleyError;
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.transient).toBe(true);
  });

  it('turns an unreachable server into NETWORK', async () => {
    const gone = await startHost();
    const url = gone.url;
    await gone.close();
    const error = await failure(createParleyRest({ url }).health());
    expect(error.code).toBe('NETWORK');
    expect(error.transient).toBe(true);
  });
});
