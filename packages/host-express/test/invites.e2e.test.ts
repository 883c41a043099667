import { testClock } from '@parley/chat-core/testing';
import { describe, expect, it } from 'vitest';
import { nextEvent, useServer } from './helpers.js';

const clock = testClock();
const s = useServer({
  clock,
  config: { chat: { publicUrl: 'https://chat.example.com', groupInviteTtlSeconds: 3600 } },
});

describe('personal QR code', () => {
  it('GET /api/users/me/qrcode answers { token, url, image } as PNG data URL or SVG', async () => {
    const a = await s.user();
    const png = await s.api('GET', '/api/users/me/qrcode', { token: a.token });
    expect(png.status).toBe(200);
    expect(png.body.url).toBe(`https://chat.example.com/invite/${png.body.token}`);
    expect(png.body.image).toMatch(/^data:image\/png;base64,/);
    const svg = await s.api('GET', '/api/users/me/qrcode?format=svg', { token: a.token });
    expect(svg.body.image).toContain('<svg');
    expect(svg.body.token).toBe(png.body.token);
    const bad = await s.api('GET', '/api/users/me/qrcode?format=gif', { token: a.token });
    expect(bad.status).toBe(400);
  });

  it('resolve shows the user; redeem sends a friend request; rotate expires the old token (410)', async () => {
    const a = await s.user('Inviter');
    const b = await s.user('Scanner');
    const qr = await s.api('GET', '/api/users/me/qrcode', { token: a.token });
    const seen = await s.api('GET', `/api/invites/${qr.body.token}`, { token: b.token });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ kind: 'user', user: { id: a.id } });
    const socket = await s.connect(a.token);
    const heard = nextEvent<{ fromId: string }>(socket, 'friend_request');
    const redeemed = await s.api('POST', `/api/invites/${qr.body.token}/redeem`, { token: b.token });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ kind: 'user', request: { fromId: b.id, toId: a.id } });
    expect((await heard).fromId).toBe(b.id);
    const rotated = await s.api('POST', '/api/users/me/qrcode/rotate', { token: a.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.token).not.toBe(qr.body.token);
    const old = await s.api('GET', `/api/invites/${qr.body.token}`, { token: b.token });
    expect(old.status).toBe(410);
    expect(old.body.error.code).toBe('INVITE_EXPIRED');
    const garbage = await s.api('GET', '/api/invites/not-a-token', { token: b.token });
    expect(garbage.status).toBe(404);
  });
});

describe('group QR code', () => {
  it('owner/admins get a group QR code; redeeming joins past approval; it expires after its TTL', async () => {
    const owner = await s.user();
    const member = await s.user();
    const joiner = await s.user();
    const late = await s.user();
    await s.befriend(owner, member);
    const created = await s.api('POST', '/api/groups', {
      token: owner.token,
      body: { name: 'Invite only', memberIds: [member.id], joinPolicy: 'invite' },
    });
    const groupId: string = created.body.group.id;
    const byMember = await s.api('GET', `/api/groups/${groupId}/qrcode`, { token: member.token });
    expect(byMember.status).toBe(403);
    const byOutsider = await s.api('GET', `/api/groups/${groupId}/qrcode`, { token: joiner.token });
    expect(byOutsider.status).toBe(403);
    const qr = await s.api('GET', `/api/groups/${groupId}/qrcode?format=svg`, { token: owner.token });
    expect(qr.status).toBe(200);
    expect(qr.body).toMatchObject({ token: expect.any(String), url: expect.stringContaining('/invite/') });
    expect(qr.body.image).toContain('<svg');
    const seen = await s.api('GET', `/api/invites/${qr.body.token}`, { token: joiner.token });
    expect(seen.body).toMatchObject({ kind: 'group', group: { id: groupId } });
    const redeemed = await s.api('POST', `/api/invites/${qr.body.token}/redeem`, { token: joiner.token });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ kind: 'group', joined: true, group: { id: groupId } });
    const members = await s.api('GET', `/api/groups/${groupId}/members`, { token: joiner.token });
    expect(members.body.members.map((m: { userId: string }) => m.userId)).toContain(joiner.id);
    clock.advance(3601 * 1000);
    const expired = await s.api('POST', `/api/invites/${qr.body.token}/redeem`, { token: late.token });
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('INVITE_EXPIRED');
  });
});

describe('recall window', () => {
  it('a sender past RECALL_WINDOW_SECONDS gets 403 RECALL_WINDOW_EXPIRED', async () => {
    const a = await s.user();
    const b = await s.user();
    await s.befriend(a, b);
    const sent = await s.api('POST', `/api/messages/private/${b.id}`, {
      token: a.token,
      body: { content: 'old' },
    });
    clock.advance(121_000);
    const res = await s.api('POST', `/api/messages/${sent.body.message.id}/recall`, { token: a.token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('RECALL_WINDOW_EXPIRED');
  });
});
