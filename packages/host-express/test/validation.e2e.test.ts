import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer, type TestUser } from './helpers.js';

let s: TestServer;
let owner: TestUser;
let friend: TestUser;
let groupId: string;
let messageId: string;
let conversationId: string;

beforeAll(async () => {
  s = await startServer();
  owner = await s.user('Owner');
  friend = await s.user('Friend');
  await s.befriend(owner, friend);
  const group = await s.api('POST', '/api/groups', {
    token: owner.token,
    body: { name: 'Valid', memberIds: [friend.id] },
  });
  groupId = group.body.group.id;
  const sent = await s.api('POST', `/api/messages/private/${friend.id}`, {
    token: owner.token,
    body: { content: 'first' },
  });
  messageId = sent.body.message.id;
  conversationId = sent.body.message.conversationId;
});
afterAll(async () => {
  await s?.close();
});

/** Everything a refused request could have changed, as the owner sees it. */
async function snapshot() {
  const [me, friends, groups, conversations, history, members, requests, blacklist] = await Promise.all([
    s.api('GET', '/api/users/me', { token: owner.token }),
    s.api('GET', '/api/friends', { token: owner.token }),
    s.api('GET', '/api/groups', { token: owner.token }),
    s.api('GET', '/api/conversations', { token: owner.token }),
    s.api('GET', `/api/messages/private/${friend.id}`, { token: owner.token }),
    s.api('GET', `/api/groups/${groupId}/members`, { token: owner.token }),
    s.api('GET', '/api/friends/requests?direction=outgoing', { token: owner.token }),
    s.api('GET', '/api/blacklist', { token: owner.token }),
  ]);
  return [me, friends, groups, conversations, history, members, requests, blacklist].map((r) => r.body);
}

describe('refused requests', () => {
  it('bad payloads on every route that takes input answer 400 VALIDATION_FAILED with details, change nothing, and the server keeps serving', async () => {
    const before = await snapshot();
    const g = `/api/groups/${groupId}`;
    const cases: [string, string, unknown][] = [
      ['POST', '/api/auth/register', { email: 'x', password: 1, nickname: '' }],
      ['POST', '/api/auth/verify-email', { email: 'x', code: 'abc' }],
      ['POST', '/api/auth/resend-verification', { email: 'not-an-email' }],
      ['POST', '/api/auth/login', { email: 42 }],
      ['POST', '/api/auth/password/forgot', {}],
      ['POST', '/api/auth/password/reset', { email: owner.email, code: '12', password: 'x' }],
      ['PUT', '/api/users/me', { nickname: 'x'.repeat(100) }],
      ['PUT', '/api/users/me', { unknownField: true }],
      ['PUT', '/api/users/me/password', { currentPassword: owner.password, newPassword: 'short' }],
      ['POST', '/api/friends/add', { userId: '' }],
      ['POST', '/api/blacklist', {}],
      ['POST', `/api/messages/private/${friend.id}`, { content: ['array'] }],
      ['POST', `/api/messages/group/${groupId}`, { content: 'x', mentions: 'everyone' }],
      ['POST', `/api/conversations/${encodeURIComponent(conversationId)}/read`, { seq: -1 }],
      ['POST', '/api/groups', { name: '', joinPolicy: 'secret' }],
      ['PATCH', g, { muteAll: 'yes' }],
      ['POST', `${g}/members`, { userIds: 'all' }],
      ['POST', `${g}/mutes`, { userId: friend.id, durationSeconds: 'forever' }],
      ['PUT', `${g}/announcement`, { text: 42 }],
      ['POST', `${g}/transfer`, {}],
    ];
    for (const [method, path, body] of cases) {
      const res = await s.api(method, path, { token: owner.token, body });
      expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({
        method,
        path,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(res.body.error.details?.fields, `${method} ${path}`).toEqual(expect.any(Object));
    }
    const queries = [
      '/api/friends?limit=0',
      '/api/friends/requests?direction=up',
      '/api/blacklist?limit=1000',
      `/api/messages/private/${friend.id}?afterSeq=x`,
      `/api/messages/group/${groupId}?limit=-5`,
      `${g}/members?limit=many`,
      `/api/messages/${messageId}/readers?limit=0`,
      '/api/users/search',
      '/api/users/me/qrcode?format=bmp',
    ];
    for (const path of queries) {
      const res = await s.api('GET', path, { token: owner.token });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await snapshot()).toEqual(before);
    expect((await s.api('GET', '/health')).status).toBe(200);
  });

  it('every authenticated route answers 401 without a token', async () => {
    const g = `/api/groups/${groupId}`;
    const routes: [string, string][] = [
      ['POST', '/api/auth/logout'],
      ['POST', '/api/auth/logout-all'],
      ['GET', '/api/users/me'],
      ['PUT', '/api/users/me'],
      ['PUT', '/api/users/me/password'],
      ['GET', `/api/users/${friend.id}`],
      ['GET', '/api/users/search?q=a'],
      ['GET', '/api/users/me/qrcode'],
      ['POST', '/api/users/me/qrcode/rotate'],
      ['GET', '/api/friends'],
      ['POST', '/api/friends/add'],
      ['GET', '/api/friends/requests'],
      ['POST', '/api/friends/requests/x/accept'],
      ['POST', '/api/friends/requests/x/reject'],
      ['DELETE', `/api/friends/${friend.id}`],
      ['GET', '/api/blacklist'],
      ['POST', '/api/blacklist'],
      ['DELETE', `/api/blacklist/${friend.id}`],
      ['GET', '/api/conversations'],
      ['POST', `/api/conversations/${encodeURIComponent(conversationId)}/read`],
      ['GET', `/api/messages/private/${friend.id}`],
      ['GET', `/api/messages/group/${groupId}`],
      ['POST', `/api/messages/private/${friend.id}`],
      ['POST', `/api/messages/group/${groupId}`],
      ['POST', `/api/messages/${messageId}/recall`],
      ['DELETE', `/api/messages/${messageId}`],
      ['GET', `/api/messages/${messageId}/readers`],
      ['POST', '/api/groups'],
      ['GET', '/api/groups'],
      ['GET', g],
      ['PATCH', g],
      ['DELETE', g],
      ['GET', `${g}/members`],
      ['POST', `${g}/members`],
      ['DELETE', `${g}/members/${friend.id}`],
      ['POST', `${g}/join`],
      ['GET', `${g}/join-requests`],
      ['POST', `${g}/join-requests/x/approve`],
      ['POST', `${g}/join-requests/x/reject`],
      ['POST', `${g}/leave`],
      ['POST', `${g}/mutes`],
      ['DELETE', `${g}/mutes/${friend.id}`],
      ['PUT', `${g}/announcement`],
      ['PUT', `${g}/admins/${friend.id}`],
      ['DELETE', `${g}/admins/${friend.id}`],
      ['POST', `${g}/transfer`],
      ['GET', `${g}/qrcode`],
      ['GET', '/api/invites/x'],
      ['POST', '/api/invites/x/redeem'],
    ];
    for (const [method, path] of routes) {
      const res = await s.api(method, path, method === 'GET' ? {} : { body: {} });
      expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({
        method,
        path,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
    expect((await s.api('GET', `${g}/members`, { token: owner.token })).body.members).toHaveLength(2);
  });
});

describe('AUTH_REQUIRE_VERIFIED_EMAIL=true', () => {
  it('login answers 403 EMAIL_NOT_VERIFIED until the email is verified', async () => {
    const strict = await startServer({ config: { chat: { requireVerifiedEmail: true } } });
    try {
      const u = await strict.user();
      const refused = await strict.api('POST', '/api/auth/login', {
        body: { email: u.email, password: u.password },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('EMAIL_NOT_VERIFIED');
      const code = strict.mailer.lastTo(u.email)?.text.match(/\b(\d{6})\b/)?.[1];
      await strict.api('POST', '/api/auth/verify-email', { body: { email: u.email, code } });
      const ok = await strict.api('POST', '/api/auth/login', {
        body: { email: u.email, password: u.password },
      });
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
