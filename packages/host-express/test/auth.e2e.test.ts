import { describe, expect, it } from 'vitest';
import { codeFrom, nextEvent, uniqueEmail, useServer } from './helpers.js';

const s = useServer();

describe('POST /api/auth/register', () => {
  it('answers 201 with the private user and a token, and sends a verification code', async () => {
    const email = uniqueEmail('reg');
    const res = await s.api('POST', '/api/auth/register', {
      body: { email: `  ${email.toUpperCase()} `, password: 'long enough password', nickname: ' Ann ' },
    });
    expect(res.status).toBe(201);
    expect(res.body.token).toEqual(expect.any(String));
    expect(res.body.user).toMatchObject({ email, nickname: 'Ann', emailVerified: false });
    expect(codeFrom(s.mailer, email)).toMatch(/^\d{6}$/);
  });

  it('answers 409 EMAIL_TAKEN for a registered email', async () => {
    const u = await s.user();
    const res = await s.api('POST', '/api/auth/register', {
      body: { email: u.email, password: 'another password', nickname: 'Twin' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('EMAIL_TAKEN');
  });

  it('answers 400 VALIDATION_FAILED naming the bad fields', async () => {
    const res = await s.api('POST', '/api/auth/register', { body: { email: 'nope', password: 'short' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(res.body.error.details.fields)).toEqual(
      expect.arrayContaining(['email', 'password', 'nickname']),
    );
  });

  it('refuses a password longer than 72 bytes instead of truncating it', async () => {
    const res = await s.api('POST', '/api/auth/register', {
      body: { email: uniqueEmail('long'), password: 'é'.repeat(40), nickname: 'Long' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toHaveProperty('password');
  });
});

describe('email verification', () => {
  it('verifies with the emailed code (200 { user }) and refuses a wrong one', async () => {
    const u = await s.user();
    const wrong = await s.api('POST', '/api/auth/verify-email', { body: { email: u.email, code: '000000' } });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect(wrong.status).toBeLessThan(500);
    const res = await s.api('POST', '/api/auth/verify-email', {
      body: { email: u.email, code: codeFrom(s.mailer, u.email) },
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: u.id, emailVerified: true });
  });

  it('verifies by the link token, also through GET /verify-email', async () => {
    const u = await s.user();
    const link = s.mailer.lastTo(u.email)?.text.match(/verify-email\?token=(\S+)/)?.[1];
    expect(link).toBeDefined();
    const res = await fetch(`${s.url}/verify-email?token=${link}`);
    expect(res.status).toBe(200);
    const me = await s.api('GET', '/api/users/me', { token: u.token });
    expect(me.body.user.emailVerified).toBe(true);
  });

  it('resend-verification answers 202 whatever the email', async () => {
    const u = await s.user();
    const known = await s.api('POST', '/api/auth/resend-verification', { body: { email: u.email } });
    const unknown = await s.api('POST', '/api/auth/resend-verification', {
      body: { email: uniqueEmail('ghost') },
    });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
  });
});

describe('login and logout', () => {
  it('logs in with 200 { token, user } and refuses bad credentials with one message', async () => {
    const u = await s.user();
    const ok = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token: expect.any(String), user: { id: u.id } });
    const wrongPassword = await s.api('POST', '/api/auth/login', {
      body: { email: u.email, password: 'wrong password!' },
    });
    const unknownEmail = await s.api('POST', '/api/auth/login', {
      body: { email: uniqueEmail('nobody'), password: 'wrong password!' },
    });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(unknownEmail.body.error).toEqual(wrongPassword.body.error);
  });

  it('logout answers 204, revokes the token and disconnects its sockets', async () => {
    const u = await s.user();
    const login = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    const token: string = login.body.token;
    const socket = await s.connect(token);
    const other = await s.connect(u.token);
    const dropped = nextEvent(socket, 'disconnect');
    const res = await s.api('POST', '/api/auth/logout', { token });
    expect(res.status).toBe(204);
    await dropped;
    expect(other.connected).toBe(true);
    const after = await s.api('GET', '/api/users/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHORIZED');
    await expect(s.connect(token)).rejects.toThrow('UNAUTHORIZED');
    // The user's other token still works.
    expect((await s.api('GET', '/api/users/me', { token: u.token })).status).toBe(200);
  });

  it('logout-all answers 204 and revokes every token of the user', async () => {
    const u = await s.user();
    const second = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    const res = await s.api('POST', '/api/auth/logout-all', { token: u.token });
    expect(res.status).toBe(204);
    expect((await s.api('GET', '/api/users/me', { token: u.token })).status).toBe(401);
    expect((await s.api('GET', '/api/users/me', { token: second.body.token })).status).toBe(401);
  });
});

describe('passwords', () => {
  it('forgot answers 202 whatever the email; reset with the code revokes older tokens', async () => {
    const u = await s.user();
    s.mailer.clear();
    expect(
      (await s.api('POST', '/api/auth/password/forgot', { body: { email: uniqueEmail('x') } })).status,
    ).toBe(202);
    const forgot = await s.api('POST', '/api/auth/password/forgot', { body: { email: u.email } });
    expect(forgot.status).toBe(202);
    const code = codeFrom(s.mailer, u.email);
    const reset = await s.api('POST', '/api/auth/password/reset', {
      body: { email: u.email, code, password: 'a brand new password' },
    });
    expect(reset.status).toBe(200);
    expect((await s.api('GET', '/api/users/me', { token: u.token })).status).toBe(401);
    const login = await s.api('POST', '/api/auth/login', {
      body: { email: u.email, password: 'a brand new password' },
    });
    expect(login.status).toBe(200);
    const reused = await s.api('POST', '/api/auth/password/reset', {
      body: { email: u.email, code, password: 'yet another password' },
    });
    expect(reused.status).toBeGreaterThanOrEqual(400);
  });

  it('PUT /api/users/me/password answers { token } and revokes older tokens', async () => {
    const u = await s.user();
    const wrong = await s.api('PUT', '/api/users/me/password', {
      token: u.token,
      body: { currentPassword: 'not my password', newPassword: 'another good password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    const res = await s.api('PUT', '/api/users/me/password', {
      token: u.token,
      body: { currentPassword: u.password, newPassword: 'another good password' },
    });
    expect(res.status).toBe(200);
    expect(res.body.token).toEqual(expect.any(String));
    expect((await s.api('GET', '/api/users/me', { token: u.token })).status).toBe(401);
    expect((await s.api('GET', '/api/users/me', { token: res.body.token })).status).toBe(200);
  });
});

describe('profiles and search', () => {
  it('GET /api/users/me answers the private view; PUT updates it and friends hear user_updated', async () => {
    const a = await s.user('Alice');
    const b = await s.user('Bob');
    await s.befriend(a, b);
    const me = await s.api('GET', '/api/users/me', { token: a.token });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: a.id, email: a.email, settings: expect.any(Object) });
    const socket = await s.connect(b.token);
    const updated = nextEvent<{ id: string; nickname: string }>(socket, 'user_updated');
    const put = await s.api('PUT', '/api/users/me', {
      token: a.token,
      body: { nickname: 'Alicia', bio: 'hi' },
    });
    expect(put.status).toBe(200);
    expect(put.body.user).toMatchObject({ nickname: 'Alicia', bio: 'hi' });
    expect(await updated).toMatchObject({ id: a.id, nickname: 'Alicia' });
    const bad = await s.api('PUT', '/api/users/me', { token: a.token, body: { nickname: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toHaveProperty('nickname');
  });

  it('GET /api/users/:id answers the public profile without email; unknown → 404', async () => {
    const a = await s.user();
    const b = await s.user();
    const res = await s.api('GET', `/api/users/${b.id}`, { token: a.token });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: b.id, nickname: b.nickname });
    expect(res.body.user).not.toHaveProperty('email');
    const missing = await s.api('GET', '/api/users/000000000000000000000000', { token: a.token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it('GET /api/users/search finds by exact email and nickname prefix, not the blocked-by-them', async () => {
    const a = await s.user('Searcher');
    const b = await s.user('Zebediah');
    const byEmail = await s.api('GET', `/api/users/search?q=${encodeURIComponent(b.email)}`, {
      token: a.token,
    });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.users.map((u: { id: string }) => u.id)).toEqual([b.id]);
    const byPrefix = await s.api('GET', '/api/users/search?q=Zebed', { token: a.token });
    expect(byPrefix.body.users.map((u: { id: string }) => u.id)).toContain(b.id);
    await s.api('POST', '/api/blacklist', { token: b.token, body: { userId: a.id } });
    const blocked = await s.api('GET', '/api/users/search?q=Zebed', { token: a.token });
    expect(blocked.body.users.map((u: { id: string }) => u.id)).not.toContain(b.id);
    const empty = await s.api('GET', '/api/users/search?q=', { token: a.token });
    expect(empty.status).toBe(400);
  });
});

describe('authentication of routes', () => {
  it('answers 401 UNAUTHORIZED without a token, with a garbage token, with a non-bearer scheme', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer garbage.token.here' },
      { authorization: 'Basic abc' },
    ];
    for (const headers of cases) {
      const res = await s.api('GET', '/api/users/me', { headers });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });
});
