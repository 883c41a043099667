import { describe, expect, it } from 'vitest';
import { nextEvent, useServer } from './helpers.js';

const s = useServer();

const ids = (list: { id: string }[]) => list.map((x) => x.id);

describe('friend requests', () => {
  it('POST /api/friends/add answers 201 { request } and the target gets friend_request', async () => {
    const a = await s.user('Ann');
    const b = await s.user('Ben');
    const socket = await s.connect(b.token);
    const heard = nextEvent<{ id: string; fromId: string }>(socket, 'friend_request');
    const res = await s.api('POST', '/api/friends/add', {
      token: a.token,
      body: { userId: b.id, message: 'hi' },
    });
    expect(res.status).toBe(201);
    expect(res.body.request).toMatchObject({ fromId: a.id, toId: b.id, status: 'pending', message: 'hi' });
    expect(await heard).toMatchObject({ id: res.body.request.id, fromId: a.id });
  });

  it('adds by email too; a second request answers the pending one', async () => {
    const a = await s.user();
    const b = await s.user();
    const first = await s.api('POST', '/api/friends/add', { token: a.token, body: { email: b.email } });
    expect(first.status).toBe(201);
    const again = await s.api('POST', '/api/friends/add', { token: a.token, body: { userId: b.id } });
    expect(again.body.request.id).toBe(first.body.request.id);
  });

  it('refuses oneself (400), an unknown user (404), a friend (409 ALREADY_FRIENDS)', async () => {
    const a = await s.user();
    const b = await s.user();
    const self = await s.api('POST', '/api/friends/add', { token: a.token, body: { userId: a.id } });
    expect(self.status).toBe(400);
    const unknown = await s.api('POST', '/api/friends/add', {
      token: a.token,
      body: { userId: '000000000000000000000000' },
    });
    expect(unknown.status).toBe(404);
    await s.befriend(a, b);
    const friend = await s.api('POST', '/api/friends/add', { token: a.token, body: { userId: b.id } });
    expect(friend.status).toBe(409);
    expect(friend.body.error.code).toBe('ALREADY_FRIENDS');
    const bad = await s.api('POST', '/api/friends/add', { token: a.token, body: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a request to someone who already asked makes both friends at once', async () => {
    const a = await s.user();
    const b = await s.user();
    await s.api('POST', '/api/friends/add', { token: a.token, body: { userId: b.id } });
    const back = await s.api('POST', '/api/friends/add', { token: b.token, body: { userId: a.id } });
    expect(back.status).toBe(201);
    expect(back.body.friend.user.id).toBe(a.id);
    const list = await s.api('GET', '/api/friends', { token: a.token });
    expect(list.body.friends.map((f: { user: { id: string } }) => f.user.id)).toEqual([b.id]);
  });

  it('GET /api/friends/requests lists incoming by default and outgoing on demand', async () => {
    const a = await s.user();
    const b = await s.user();
    const sent = await s.api('POST', '/api/friends/add', { token: a.token, body: { userId: b.id } });
    const incoming = await s.api('GET', '/api/friends/requests', { token: b.token });
    expect(incoming.status).toBe(200);
    expect(ids(incoming.body.requests)).toEqual([sent.body.request.id]);
    expect(incoming.body).toMatchObject({ hasMore: false });
    const outgoing = await s.api('GET', '/api/friends/requests?direction=outgoing', { token: a.token });
    expect(ids(outgoing.body.requests)).toEqual([sent.body.request.id]);
    const none = await s.api('GET', '/api/friends/requests?direction=incoming', { token: a.token });
    expect(none.body.requests).toEqual([]);
    const bad = await s.api('GET', '/api/friends/requests?direction=sideways', { token: a.token });
    expect(bad.status).toBe(400);
  });

  it('accept answers { friend }; the requester gets friend_request_accepted; only the recipient may', async () => {
    const a = await s.user();
    const b = await s.user();
    const sent = await s.api('POST', '/api/friends/add', { token: a.token, body: { userId: b.id } });
    const requestId = sent.body.request.id;
    const byRequester = await s.api('POST', `/api/friends/requests/${requestId}/accept`, { token: a.token });
    expect(byRequester.status).toBeGreaterThanOrEqual(403);
    expect(byRequester.status).toBeLessThanOrEqual(404);
    const socket = await s.connect(a.token);
    const heard = nextEvent<{ id: string }>(socket, 'friend_request_accepted');
    const res = await s.api('POST', `/api/friends/requests/${requestId}/accept`, { token: b.token });
    expect(res.status).toBe(200);
    expect(res.body.friend).toMatchObject({ user: { id: a.id }, online: true, since: expect.any(String) });
    expect((await heard).id).toBe(requestId);
    const friends = await s.api('GET', '/api/friends', { token: a.token });
    expect(friends.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(friends.body.friends[0]).toMatchObject({ user: { id: b.id }, since: expect.any(String) });
    expect(friends.body.friends[0]).toHaveProperty('online');
    expect(friends.body.friends[0]).toHaveProperty('lastSeenAt');
  });

  it('reject answers 204 and the requester gets friend_request_rejected', async () => {
    const a = await s.user();
    const b = await s.user();
    const sent = await s.api('POST', '/api/friends/add', { token: a.token, body: { userId: b.id } });
    const socket = await s.connect(a.token);
    const heard = nextEvent<{ id: string }>(socket, 'friend_request_rejected');
    const res = await s.api('POST', `/api/friends/requests/${sent.body.request.id}/reject`, {
      token: b.token,
    });
    expect(res.status).toBe(204);
    expect((await heard).id).toBe(sent.body.request.id);
    const unknown = await s.api('POST', '/api/friends/requests/000000000000000000000000/reject', {
      token: b.token,
    });
    expect(unknown.status).toBe(404);
  });

  it('DELETE /api/friends/:userId answers 204, ends it on both sides, the other gets friend_removed', async () => {
    const a = await s.user();
    const b = await s.user();
    await s.befriend(a, b);
    const socket = await s.connect(b.token);
    const heard = nextEvent<{ userId: string }>(socket, 'friend_removed');
    const res = await s.api('DELETE', `/api/friends/${b.id}`, { token: a.token });
    expect(res.status).toBe(204);
    expect((await heard).userId).toBe(a.id);
    expect((await s.api('GET', '/api/friends', { token: b.token })).body.friends).toEqual([]);
    const again = await s.api('DELETE', `/api/friends/${b.id}`, { token: a.token });
    expect(again.status).toBe(404);
  });

  it('paginates the friend list with limit and cursor', async () => {
    const a = await s.user();
    const others = [await s.user(), await s.user(), await s.user()];
    for (const o of others) await s.befriend(a, o);
    const first = await s.api('GET', '/api/friends?limit=2', { token: a.token });
    expect(first.body.friends).toHaveLength(2);
    expect(first.body.hasMore).toBe(true);
    const second = await s.api(
      'GET',
      `/api/friends?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      {
        token: a.token,
      },
    );
    expect(second.body.friends).toHaveLength(1);
    expect(second.body.hasMore).toBe(false);
    const all = [...first.body.friends, ...second.body.friends].map(
      (f: { user: { id: string } }) => f.user.id,
    );
    expect(new Set(all)).toEqual(new Set(ids(others)));
    expect((await s.api('GET', '/api/friends?limit=101', { token: a.token })).status).toBe(400);
    expect((await s.api('GET', '/api/friends?limit=abc', { token: a.token })).status).toBe(400);
  });
});

describe('blacklist', () => {
  it('POST /api/blacklist answers 201, drops pending requests and refuses requests both ways', async () => {
    const a = await s.user();
    const b = await s.user();
    await s.api('POST', '/api/friends/add', { token: b.token, body: { userId: a.id } });
    const res = await s.api('POST', '/api/blacklist', { token: a.token, body: { userId: b.id } });
    expect(res.status).toBe(201);
    expect((await s.api('GET', '/api/friends/requests', { token: a.token })).body.requests).toEqual([]);
    const fromB = await s.api('POST', '/api/friends/add', { token: b.token, body: { userId: a.id } });
    expect(fromB.status).toBe(403);
    expect(fromB.body.error.code).toBe('BLOCKED');
    const fromA = await s.api('POST', '/api/friends/add', { token: a.token, body: { userId: b.id } });
    expect(fromA.body.error.code).toBe('BLOCKED');
    const list = await s.api('GET', '/api/blacklist', { token: a.token });
    expect(list.status).toBe(200);
    expect(ids(list.body.users)).toEqual([b.id]);
  });

  it('DELETE /api/blacklist/:userId answers 204, then 404 when there is no block', async () => {
    const a = await s.user();
    const b = await s.user();
    await s.api('POST', '/api/blacklist', { token: a.token, body: { userId: b.id } });
    expect((await s.api('DELETE', `/api/blacklist/${b.id}`, { token: a.token })).status).toBe(204);
    expect((await s.api('GET', '/api/blacklist', { token: a.token })).body.users).toEqual([]);
    expect((await s.api('DELETE', `/api/blacklist/${b.id}`, { token: a.token })).status).toBe(404);
    const sent = await s.api('POST', '/api/friends/add', { token: b.token, body: { userId: a.id } });
    expect(sent.status).toBe(201);
  });

  it('a block stops private messages between friends', async () => {
    const a = await s.user();
    const b = await s.user();
    await s.befriend(a, b);
    await s.api('POST', '/api/blacklist', { token: b.token, body: { userId: a.id } });
    const res = await s.api('POST', `/api/messages/private/${b.id}`, {
      token: a.token,
      body: { content: 'hey' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('BLOCKED');
    const bad = await s.api('POST', '/api/blacklist', { token: a.token, body: { userId: 42 } });
    expect(bad.status).toBe(400);
  });
});
