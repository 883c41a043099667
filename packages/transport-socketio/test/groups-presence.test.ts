import type { MessageView } from '@parley/chat-core';
import { describe, expect, it } from 'vitest';
import {
  type Answer,
  barrier,
  befriend,
  type ClientSocket,
  connect,
  next,
  once,
  record,
  registerUser,
  request,
  type TestUser,
  useServer,
} from './helpers.js';

const server = useServer();

/** Carol owns a group with Alice and Bob (her friends). */
async function groupOfThree(): Promise<{ carol: TestUser; alice: TestUser; bob: TestUser; groupId: string }> {
  const carol = await registerUser(server.engine, 'carol');
  const alice = await registerUser(server.engine, 'alice');
  const bob = await registerUser(server.engine, 'bob');
  await befriend(server.engine, carol, alice);
  await befriend(server.engine, carol, bob);
  const { group } = await server.engine.groups.create(carol.id, {
    name: 'trio',
    memberIds: [alice.id, bob.id],
    joinPolicy: 'open',
  });
  return { carol, alice, bob, groupId: group.id };
}

/**
 * `senderId` posts `content` to the group: `member` receives it, and by the time `missed` has had
 * a round trip, no new_group_message reached it.
 */
async function expectGroupMessageMissed(
  senderId: string,
  groupId: string,
  content: string,
  member: ClientSocket,
  missed: ClientSocket,
): Promise<void> {
  const missedEvents = record(missed);
  const toMember = next<MessageView>(member, 'new_group_message');
  await server.engine.messages.sendGroup(senderId, { groupId, content });
  await toMember;
  await barrier(missed);
  expect(missedEvents.map((e) => e.name)).not.toContain('new_group_message');
}

describe('group messages', () => {
  it("reach every member's sockets, not the sending one", async () => {
    const { carol, alice, bob, groupId } = await groupOfThree();
    const carolSocket = await connect(server, carol.token);
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await connect(server, bob.token);
    const carolEvents = record(carolSocket);
    const toAlice = next<MessageView>(aliceSocket, 'new_group_message');
    const toBob = next<MessageView>(bobSocket, 'new_group_message');
    const answer = await request<Answer<{ message: MessageView }>>(carolSocket, 'group_message', {
      groupId,
      content: 'hello all',
    });
    if (!answer.ok) throw new Error(answer.error.code);
    expect(answer.data.message).toMatchObject({ groupId, content: 'hello all', senderId: carol.id });
    expect((await toAlice).id).toBe(answer.data.message.id);
    expect((await toBob).id).toBe(answer.data.message.id);
    await barrier(carolSocket);
    expect(carolEvents.map((e) => e.name)).not.toContain('new_group_message');
  });

  it('takes group delivery from message_status_update', async () => {
    const { carol, alice, groupId } = await groupOfThree();
    const carolSocket = await connect(server, carol.token);
    const aliceSocket = await connect(server, alice.token);
    const sent = await server.engine.messages.sendGroup(carol.id, { groupId, content: 'did you get it?' });
    const delivered = next<{ messageId: string; userId: string }>(carolSocket, 'message_delivered');
    await request(aliceSocket, 'message_status_update', { messageId: sent.message.id, status: 'delivered' });
    expect(await delivered).toMatchObject({ messageId: sent.message.id, userId: alice.id });
  });

  it('a user who joins while connected starts receiving the group at once', async () => {
    const { carol, groupId } = await groupOfThree();
    const dave = await registerUser(server.engine, 'dave');
    const daveSocket = await connect(server, dave.token);
    const joined = next(daveSocket, 'group_member_joined');
    await server.engine.groups.join(dave.id, groupId);
    await joined;
    const incoming = next<MessageView>(daveSocket, 'new_group_message');
    await server.engine.messages.sendGroup(carol.id, { groupId, content: 'welcome dave' });
    expect((await incoming).content).toBe('welcome dave');
  });

  it('a kicked member stops receiving the group', async () => {
    const { carol, alice, bob, groupId } = await groupOfThree();
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await connect(server, bob.token);
    const removed = next(bobSocket, 'group_member_removed');
    await server.engine.groups.kick(carol.id, groupId, bob.id);
    expect(await removed).toMatchObject({ groupId, userId: bob.id });
    await expectGroupMessageMissed(carol.id, groupId, 'bob is gone', aliceSocket, bobSocket);
  });

  it('a member who leaves stops receiving the group', async () => {
    const { carol, alice, bob, groupId } = await groupOfThree();
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await connect(server, bob.token);
    await server.engine.groups.leave(bob.id, groupId);
    await expectGroupMessageMissed(carol.id, groupId, 'after bob left', aliceSocket, bobSocket);
  });

  it('relays group typing to the other members', async () => {
    const { carol, alice, groupId } = await groupOfThree();
    const carolSocket = await connect(server, carol.token);
    const aliceSocket = await connect(server, alice.token);
    const typing = next(aliceSocket, 'typing_status_update');
    await request(carolSocket, 'typing_status', { groupId, isTyping: true });
    expect(await typing).toEqual({ from: carol.id, isTyping: true, groupId });
  });
});

describe('join_group_room', () => {
  it('refuses non-members with NOT_GROUP_MEMBER and accepts members idempotently', async () => {
    const { alice, groupId } = await groupOfThree();
    const eve = await registerUser(server.engine, 'eve');
    const eveSocket = await connect(server, eve.token);
    expect(await request(eveSocket, 'join_group_room', { groupId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_GROUP_MEMBER' },
    });
    const aliceSocket = await connect(server, alice.token);
    expect(await request(aliceSocket, 'join_group_room', { groupId })).toEqual({
      ok: true,
      data: { groupId },
    });
    expect(await request(aliceSocket, 'join_group_room', { groupId })).toEqual({
      ok: true,
      data: { groupId },
    });
  });

  it('refused non-members do not receive the group', async () => {
    const { carol, alice, groupId } = await groupOfThree();
    const eve = await registerUser(server.engine, 'eve');
    const eveSocket = await connect(server, eve.token);
    const aliceSocket = await connect(server, alice.token);
    await request(eveSocket, 'join_group_room', { groupId });
    await expectGroupMessageMissed(carol.id, groupId, 'members only', aliceSocket, eveSocket);
  });
});

describe('presence', () => {
  it('tells friends when a user comes online and goes offline', async () => {
    const alice = await registerUser(server.engine);
    const bob = await registerUser(server.engine);
    await befriend(server.engine, alice, bob);
    const aliceSocket = await connect(server, alice.token);
    const online = next(aliceSocket, 'user_presence');
    const bobSocket = await connect(server, bob.token);
    expect(await online).toMatchObject({ userId: bob.id, status: 'online' });
    const offline = next<{ userId: string; status: string; lastSeenAt?: string }>(
      aliceSocket,
      'user_presence',
    );
    bobSocket.disconnect();
    expect(await offline).toMatchObject({
      userId: bob.id,
      status: 'offline',
      lastSeenAt: expect.any(String),
    });
  });

  it('stays online while another socket of the user is connected', async () => {
    const alice = await registerUser(server.engine);
    const bob = await registerUser(server.engine);
    await befriend(server.engine, alice, bob);
    const aliceSocket = await connect(server, alice.token);
    const online = next(aliceSocket, 'user_presence');
    const phone = await connect(server, bob.token);
    await online;
    const laptop = await connect(server, bob.token);
    const aliceEvents = record(aliceSocket);
    const gone = once(phone, 'disconnect');
    phone.disconnect();
    await gone;
    // Bob's laptop sends a message after the phone left: anything about the phone arrives first.
    const message = next(aliceSocket, 'new_private_message');
    await request(laptop, 'private_message', { receiverId: alice.id, content: 'still on my laptop' });
    await message;
    expect(aliceEvents.filter((e) => e.name === 'user_presence')).toEqual([]);
  });
});
