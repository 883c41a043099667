import { describe, expect, it } from 'vitest';
import { nextEvent, type TestUser, useServer } from './helpers.js';

const s = useServer();

interface Crew {
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  outsider: TestUser;
  groupId: string;
}

/** A group with an owner, an admin, a plain member and a user who is not in it. */
async function crew(joinPolicy: 'open' | 'approval' | 'invite' = 'approval'): Promise<Crew> {
  const owner = await s.user('Owner');
  const admin = await s.user('Admin');
  const member = await s.user('Member');
  const outsider = await s.user('Outsider');
  await s.befriend(owner, admin);
  await s.befriend(owner, member);
  const created = await s.api('POST', '/api/groups', {
    token: owner.token,
    body: { name: 'Crew', memberIds: [admin.id, member.id], joinPolicy },
  });
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const groupId: string = created.body.group.id;
  await s.api('PUT', `/api/groups/${groupId}/admins/${admin.id}`, { token: owner.token });
  return { owner, admin, member, outsider, groupId };
}

const memberIds = (members: { userId: string }[]) => members.map((m) => m.userId);

describe('creating and reading groups', () => {
  it('POST /api/groups answers 201 { group }; members must be friends (403 NOT_FRIENDS)', async () => {
    const owner = await s.user();
    const friend = await s.user();
    const stranger = await s.user();
    await s.befriend(owner, friend);
    const res = await s.api('POST', '/api/groups', {
      token: owner.token,
      body: { name: 'Book club', memberIds: [friend.id], announcement: 'Welcome' },
    });
    expect(res.status).toBe(201);
    expect(res.body.group).toMatchObject({
      name: 'Book club',
      ownerId: owner.id,
      joinPolicy: expect.any(String),
      muteAll: false,
      memberCount: 2,
      maxMembers: expect.any(Number),
      createdAt: expect.any(String),
      announcement: { text: 'Welcome' },
    });
    const refused = await s.api('POST', '/api/groups', {
      token: owner.token,
      body: { name: 'Nope', memberIds: [stranger.id] },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('NOT_FRIENDS');
    const bad = await s.api('POST', '/api/groups', { token: owner.token, body: { name: '' } });
    expect(bad.status).toBe(400);
    expect((await s.api('GET', '/api/groups', { token: owner.token })).body.groups).toHaveLength(1);
  });

  it('GET /api/groups lists my groups; GET /api/groups/:id shows members everything, others the card', async () => {
    const c = await crew();
    const mine = await s.api('GET', '/api/groups', { token: c.member.token });
    expect(mine.status).toBe(200);
    expect(mine.body.groups.map((g: { id: string }) => g.id)).toEqual([c.groupId]);
    const full = await s.api('GET', `/api/groups/${c.groupId}`, { token: c.member.token });
    expect(full.body.group).toMatchObject({ id: c.groupId, ownerId: c.owner.id, muteAll: false });
    const card = await s.api('GET', `/api/groups/${c.groupId}`, { token: c.outsider.token });
    expect(card.status).toBe(200);
    expect(card.body.group).toMatchObject({ id: c.groupId, name: 'Crew', memberCount: 3 });
    expect(card.body.group).not.toHaveProperty('ownerId');
    expect(
      (await s.api('GET', '/api/groups/000000000000000000000000', { token: c.member.token })).status,
    ).toBe(404);
  });

  it('GET /api/groups/:id/members answers { members, hasMore, nextCursor } to members only', async () => {
    const c = await crew();
    const res = await s.api('GET', `/api/groups/${c.groupId}/members`, { token: c.member.token });
    expect(res.status).toBe(200);
    expect(memberIds(res.body.members)).toEqual([c.owner.id, c.admin.id, c.member.id]);
    expect(res.body.members.map((m: { role: string }) => m.role)).toEqual(['owner', 'admin', 'member']);
    expect(res.body).toMatchObject({ hasMore: false, nextCursor: null });
    const page = await s.api('GET', `/api/groups/${c.groupId}/members?limit=2`, { token: c.member.token });
    expect(page.body.members).toHaveLength(2);
    expect(page.body.hasMore).toBe(true);
    const outsider = await s.api('GET', `/api/groups/${c.groupId}/members`, { token: c.outsider.token });
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.code).toBe('NOT_GROUP_MEMBER');
  });
});

describe('updating groups', () => {
  it('PATCH by owner/admins answers { group }; members get group_updated; a plain member is FORBIDDEN', async () => {
    const c = await crew();
    const socket = await s.connect(c.member.token);
    const heard = nextEvent<{ groupId: string; group: { name: string } }>(socket, 'group_updated');
    const res = await s.api('PATCH', `/api/groups/${c.groupId}`, {
      token: c.admin.token,
      body: { name: 'Crew 2' },
    });
    expect(res.status).toBe(200);
    expect(res.body.group.name).toBe('Crew 2');
    expect(await heard).toMatchObject({ groupId: c.groupId, group: { name: 'Crew 2' } });
    const byMember = await s.api('PATCH', `/api/groups/${c.groupId}`, {
      token: c.member.token,
      body: { name: 'X' },
    });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe('FORBIDDEN');
    const byOutsider = await s.api('PATCH', `/api/groups/${c.groupId}`, {
      token: c.outsider.token,
      body: { name: 'X' },
    });
    expect(byOutsider.body.error.code).toBe('NOT_GROUP_MEMBER');
    const bad = await s.api('PATCH', `/api/groups/${c.groupId}`, {
      token: c.owner.token,
      body: { joinPolicy: 'everyone' },
    });
    expect(bad.status).toBe(400);
  });

  it('PUT /announcement answers { announcement }; members get group_announcement_updated', async () => {
    const c = await crew();
    const socket = await s.connect(c.member.token);
    const heard = nextEvent<{ groupId: string; announcement: { text: string } }>(
      socket,
      'group_announcement_updated',
    );
    const res = await s.api('PUT', `/api/groups/${c.groupId}/announcement`, {
      token: c.owner.token,
      body: { text: 'Meeting at 5' },
    });
    expect(res.status).toBe(200);
    expect(res.body.announcement).toMatchObject({ text: 'Meeting at 5', updatedBy: c.owner.id });
    expect(await heard).toMatchObject({ groupId: c.groupId, announcement: { text: 'Meeting at 5' } });
    const byMember = await s.api('PUT', `/api/groups/${c.groupId}/announcement`, {
      token: c.member.token,
      body: { text: 'no' },
    });
    expect(byMember.status).toBe(403);
  });
});

describe('membership', () => {
  it('open: POST /join joins (200); approval: 202 with a request an admin approves; invite: FORBIDDEN', async () => {
    const open = await crew('open');
    const joined = await s.api('POST', `/api/groups/${open.groupId}/join`, { token: open.outsider.token });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ joined: true, group: { id: open.groupId } });
    const again = await s.api('POST', `/api/groups/${open.groupId}/join`, { token: open.outsider.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_MEMBER');

    const approval = await crew('approval');
    const adminSocket = await s.connect(approval.admin.token);
    const requestHeard = nextEvent<{ groupId: string; request: { userId: string } }>(
      adminSocket,
      'group_join_request',
    );
    const filed = await s.api('POST', `/api/groups/${approval.groupId}/join`, {
      token: approval.outsider.token,
      body: { message: 'let me in' },
    });
    expect(filed.status).toBe(202);
    expect(filed.body).toMatchObject({ joined: false, request: { userId: approval.outsider.id } });
    expect(await requestHeard).toMatchObject({
      groupId: approval.groupId,
      request: { userId: approval.outsider.id },
    });
    const byMember = await s.api('GET', `/api/groups/${approval.groupId}/join-requests`, {
      token: approval.member.token,
    });
    expect(byMember.status).toBe(403);
    const list = await s.api('GET', `/api/groups/${approval.groupId}/join-requests`, {
      token: approval.admin.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.requests.map((r: { id: string }) => r.id)).toEqual([filed.body.request.id]);
    const socket = await s.connect(approval.member.token);
    const heard = nextEvent<{ groupId: string; userId: string }>(socket, 'group_member_joined');
    const approved = await s.api(
      'POST',
      `/api/groups/${approval.groupId}/join-requests/${filed.body.request.id}/approve`,
      { token: approval.admin.token },
    );
    expect(approved.status).toBe(200);
    expect(approved.body.member).toMatchObject({ userId: approval.outsider.id, role: 'member' });
    expect(await heard).toMatchObject({ groupId: approval.groupId, userId: approval.outsider.id });

    const invite = await crew('invite');
    const refused = await s.api('POST', `/api/groups/${invite.groupId}/join`, {
      token: invite.outsider.token,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
  });

  it('reject of a join request answers 204', async () => {
    const c = await crew('approval');
    const filed = await s.api('POST', `/api/groups/${c.groupId}/join`, { token: c.outsider.token });
    const res = await s.api(
      'POST',
      `/api/groups/${c.groupId}/join-requests/${filed.body.request.id}/reject`,
      {
        token: c.owner.token,
      },
    );
    expect(res.status).toBe(204);
    const list = await s.api('GET', `/api/groups/${c.groupId}/join-requests`, { token: c.owner.token });
    expect(list.body.requests).toEqual([]);
  });

  it('POST /members: owner/admins add users ({ added }); plain members only when open', async () => {
    const c = await crew('approval');
    await s.befriend(c.admin, c.outsider);
    const byMember = await s.api('POST', `/api/groups/${c.groupId}/members`, {
      token: c.member.token,
      body: { userIds: [c.outsider.id] },
    });
    expect(byMember.status).toBe(403);
    const res = await s.api('POST', `/api/groups/${c.groupId}/members`, {
      token: c.admin.token,
      body: { userIds: [c.outsider.id] },
    });
    expect(res.status).toBe(200);
    expect(memberIds(res.body.added)).toEqual([c.outsider.id]);
    const bad = await s.api('POST', `/api/groups/${c.groupId}/members`, {
      token: c.admin.token,
      body: { userIds: [] },
    });
    expect(bad.status).toBe(400);
  });

  it('a full group answers 409 GROUP_FULL', async () => {
    const owner = await s.user();
    const a = await s.user();
    const b = await s.user();
    await s.befriend(owner, a);
    await s.befriend(owner, b);
    const created = await s.api('POST', '/api/groups', {
      token: owner.token,
      body: { name: 'Pair', memberIds: [a.id], maxMembers: 2 },
    });
    expect(created.status).toBe(201);
    const res = await s.api('POST', `/api/groups/${created.body.group.id}/members`, {
      token: owner.token,
      body: { userIds: [b.id] },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('GROUP_FULL');
  });

  it('leave answers 204 for members; the owner is FORBIDDEN', async () => {
    const c = await crew();
    const socket = await s.connect(c.owner.token);
    const heard = nextEvent<{ groupId: string; userId: string }>(socket, 'group_member_left');
    expect((await s.api('POST', `/api/groups/${c.groupId}/leave`, { token: c.member.token })).status).toBe(
      204,
    );
    expect(await heard).toMatchObject({ groupId: c.groupId, userId: c.member.id });
    const owner = await s.api('POST', `/api/groups/${c.groupId}/leave`, { token: c.owner.token });
    expect(owner.status).toBe(403);
    const gone = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.member.token,
      body: { content: 'still here?' },
    });
    expect(gone.body.error.code).toBe('NOT_GROUP_MEMBER');
  });

  it('kick: owner any, admin only plain members; the kicked lose access', async () => {
    const c = await crew();
    const adminKicksOwner = await s.api('DELETE', `/api/groups/${c.groupId}/members/${c.owner.id}`, {
      token: c.admin.token,
    });
    expect(adminKicksOwner.status).toBe(403);
    const memberKicks = await s.api('DELETE', `/api/groups/${c.groupId}/members/${c.admin.id}`, {
      token: c.member.token,
    });
    expect(memberKicks.status).toBe(403);
    const socket = await s.connect(c.member.token);
    const heard = nextEvent<{ groupId: string; userId: string; by: string }>(socket, 'group_member_removed');
    const res = await s.api('DELETE', `/api/groups/${c.groupId}/members/${c.member.id}`, {
      token: c.admin.token,
    });
    expect(res.status).toBe(204);
    expect(await heard).toMatchObject({ groupId: c.groupId, userId: c.member.id, by: c.admin.id });
    const history = await s.api('GET', `/api/messages/group/${c.groupId}`, { token: c.member.token });
    expect(history.status).toBe(403);
    expect(history.body.error.code).toBe('NOT_GROUP_MEMBER');
    const ownerKicksAdmin = await s.api('DELETE', `/api/groups/${c.groupId}/members/${c.admin.id}`, {
      token: c.owner.token,
    });
    expect(ownerKicksAdmin.status).toBe(204);
  });

  it('admins: PUT/DELETE /admins/:userId by the owner only', async () => {
    const c = await crew();
    const byAdmin = await s.api('PUT', `/api/groups/${c.groupId}/admins/${c.member.id}`, {
      token: c.admin.token,
    });
    expect(byAdmin.status).toBe(403);
    const promote = await s.api('PUT', `/api/groups/${c.groupId}/admins/${c.member.id}`, {
      token: c.owner.token,
    });
    expect(promote.status).toBe(200);
    expect(promote.body.member).toMatchObject({ userId: c.member.id, role: 'admin' });
    const demote = await s.api('DELETE', `/api/groups/${c.groupId}/admins/${c.member.id}`, {
      token: c.owner.token,
    });
    expect(demote.status).toBe(200);
    expect(demote.body.member.role).toBe('member');
  });

  it('transfer hands ownership over; dissolve answers 204 and members get group_dissolved', async () => {
    const c = await crew();
    const byAdmin = await s.api('POST', `/api/groups/${c.groupId}/transfer`, {
      token: c.admin.token,
      body: { userId: c.member.id },
    });
    expect(byAdmin.status).toBe(403);
    const res = await s.api('POST', `/api/groups/${c.groupId}/transfer`, {
      token: c.owner.token,
      body: { userId: c.admin.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.group.ownerId).toBe(c.admin.id);
    const oldOwner = await s.api('DELETE', `/api/groups/${c.groupId}`, { token: c.owner.token });
    expect(oldOwner.status).toBe(403);
    const socket = await s.connect(c.member.token);
    const heard = nextEvent<{ groupId: string; by: string }>(socket, 'group_dissolved');
    expect((await s.api('DELETE', `/api/groups/${c.groupId}`, { token: c.admin.token })).status).toBe(204);
    expect(await heard).toMatchObject({ groupId: c.groupId, by: c.admin.id });
    expect((await s.api('GET', `/api/groups/${c.groupId}`, { token: c.member.token })).status).toBe(404);
  });
});

describe('group messages', () => {
  it('POST /api/messages/group/:groupId answers 201; members get new_group_message; history pages', async () => {
    const c = await crew();
    const socket = await s.connect(c.member.token);
    const heard = nextEvent<{ id: string; groupId: string }>(socket, 'new_group_message');
    const res = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.owner.token,
      body: { content: 'hello crew', clientMsgId: 'g-1' },
    });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ type: 'group', groupId: c.groupId, senderId: c.owner.id });
    expect(await heard).toMatchObject({ id: res.body.message.id, groupId: c.groupId });
    const history = await s.api('GET', `/api/messages/group/${c.groupId}?limit=1`, { token: c.member.token });
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: { id: string }) => m.id)).toEqual([res.body.message.id]);
    const outsider = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.outsider.token,
      body: { content: 'let me talk' },
    });
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.code).toBe('NOT_GROUP_MEMBER');
  });

  it('mentions: the mentioned get mention; mentionAll is for owner and admins; non-members are refused', async () => {
    const c = await crew();
    const socket = await s.connect(c.member.token);
    const heard = nextEvent<{ messageId: string; groupId: string; from: string }>(socket, 'mention');
    const res = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.admin.token,
      body: { content: '@member look', mentions: [c.member.id] },
    });
    expect(res.status).toBe(201);
    expect(await heard).toMatchObject({
      messageId: res.body.message.id,
      groupId: c.groupId,
      from: c.admin.id,
    });
    const all = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.member.token,
      body: { content: '@all', mentionAll: true },
    });
    expect(all.status).toBe(403);
    expect(all.body.error.code).toBe('FORBIDDEN');
    const stranger = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.admin.token,
      body: { content: 'hey', mentions: [c.outsider.id] },
    });
    expect(stranger.status).toBe(400);
  });

  it('mutes: a muted member gets 403 MUTED with mutedUntil; unmute lifts it; mute-all silences plain members', async () => {
    const c = await crew();
    const memberMutesAdmin = await s.api('POST', `/api/groups/${c.groupId}/mutes`, {
      token: c.member.token,
      body: { userId: c.admin.id, durationSeconds: 60 },
    });
    expect(memberMutesAdmin.status).toBe(403);
    const socket = await s.connect(c.member.token);
    const heard = nextEvent<{ userId: string; mutedUntil: string }>(socket, 'group_member_muted');
    const mute = await s.api('POST', `/api/groups/${c.groupId}/mutes`, {
      token: c.admin.token,
      body: { userId: c.member.id, durationSeconds: 600 },
    });
    expect(mute.status).toBe(200);
    expect(mute.body.member).toMatchObject({ userId: c.member.id, mutedUntil: expect.any(String) });
    expect((await heard).userId).toBe(c.member.id);
    const muted = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.member.token,
      body: { content: 'can I talk?' },
    });
    expect(muted.status).toBe(403);
    expect(muted.body.error.code).toBe('MUTED');
    expect(muted.body.error.details.mutedUntil).toEqual(expect.any(String));
    const unmute = await s.api('DELETE', `/api/groups/${c.groupId}/mutes/${c.member.id}`, {
      token: c.admin.token,
    });
    expect(unmute.status).toBe(204);
    expect(
      (
        await s.api('POST', `/api/messages/group/${c.groupId}`, {
          token: c.member.token,
          body: { content: 'yes' },
        })
      ).status,
    ).toBe(201);
    await s.api('PATCH', `/api/groups/${c.groupId}`, { token: c.owner.token, body: { muteAll: true } });
    const all = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.member.token,
      body: { content: 'and now?' },
    });
    expect(all.body.error.code).toBe('MUTED');
    expect(
      (
        await s.api('POST', `/api/messages/group/${c.groupId}`, {
          token: c.admin.token,
          body: { content: 'admins can' },
        })
      ).status,
    ).toBe(201);
    const bad = await s.api('POST', `/api/groups/${c.groupId}/mutes`, {
      token: c.admin.token,
      body: { userId: c.member.id, durationSeconds: -1 },
    });
    expect(bad.status).toBe(400);
  });

  it('membership changes write system messages into the history', async () => {
    const c = await crew('open');
    await s.api('POST', `/api/groups/${c.groupId}/join`, { token: c.outsider.token });
    await s.api('POST', `/api/groups/${c.groupId}/leave`, { token: c.outsider.token });
    const history = await s.api('GET', `/api/messages/group/${c.groupId}`, { token: c.member.token });
    const system = history.body.messages.filter((m: { contentType: string }) => m.contentType === 'system');
    expect(system.length).toBeGreaterThanOrEqual(2);
  });

  it('readers: the sender or admins see who read a group message; others are FORBIDDEN', async () => {
    const c = await crew();
    const sent = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.member.token,
      body: { content: 'read me' },
    });
    const message = sent.body.message;
    await s.api('POST', `/api/conversations/${encodeURIComponent(message.conversationId)}/read`, {
      token: c.admin.token,
      body: { seq: message.seq },
    });
    const res = await s.api('GET', `/api/messages/${message.id}/readers`, { token: c.member.token });
    expect(res.status).toBe(200);
    expect(res.body.readers.map((u: { id: string }) => u.id)).toEqual([c.admin.id]);
    expect(res.body).toHaveProperty('hasMore', false);
    const byOwner = await s.api('GET', `/api/messages/${message.id}/readers`, { token: c.owner.token });
    expect(byOwner.status).toBe(200);
    await s.api('PUT', `/api/groups/${c.groupId}/admins/${c.admin.id}`, { token: c.owner.token });
    const third = await s.user();
    await s.befriend(c.owner, third);
    await s.api('POST', `/api/groups/${c.groupId}/members`, {
      token: c.owner.token,
      body: { userIds: [third.id] },
    });
    const byPlain = await s.api('GET', `/api/messages/${message.id}/readers`, { token: third.token });
    expect(byPlain.status).toBe(403);
  });

  it('recall by an admin any time; the group hears message_recalled', async () => {
    const c = await crew();
    const sent = await s.api('POST', `/api/messages/group/${c.groupId}`, {
      token: c.member.token,
      body: { content: 'bad words' },
    });
    const socket = await s.connect(c.member.token);
    const heard = nextEvent<{ messageId: string; by: string }>(socket, 'message_recalled');
    const res = await s.api('POST', `/api/messages/${sent.body.message.id}/recall`, { token: c.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.message.recalled).toBe(true);
    expect(await heard).toMatchObject({ messageId: sent.body.message.id, by: c.admin.id });
  });
});
