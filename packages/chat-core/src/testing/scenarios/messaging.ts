import { expect } from 'vitest';
import type { GroupMemberRecord, GroupRecord, GroupRole } from '../../domain/records.js';
import type { MessageView } from '../../domain/views.js';
import type { ChatEngine } from '../../engine.js';
import type { ChatError, ErrorCode } from '../../errors.js';
import { groupConversationId, privateConversationId } from '../../messaging/conversation-ids.js';
import { newGroupConversation } from '../../messaging/conversation-records.js';
import type { HistoryInput } from '../../messaging/message-service.js';
import { postSystemMessage, type SystemMessageContext } from '../../messaging/system-messages.js';
import { objectIdGenerator } from '../../ports/ids.js';
import { countingStore, totalCalls } from '../counting-store.js';
import type { ScenarioContext, TestUser } from '../fixtures.js';
import type { ConformanceOptions } from '../harness.js';
import { expectRefusal } from './refusals.js';
import { defineScenarios, engineOver } from './scenario-area.js';

const ids = objectIdGenerator();
const MINUTE = 60_000;
const DAY = 86_400_000;

/** What a refused operation must leave alone: the conversation's seq, its history, the events. */
async function snapshot(ctx: ScenarioContext, conversationId: string) {
  const conversation = await ctx.store.messages.getConversation(conversationId);
  const page = await ctx.store.messages.listMessages(conversationId, { limit: 100 });
  return {
    lastSeq: conversation?.lastSeq ?? 0,
    messages: page.items.map((m) => [m.id, m.content, m.recalledAt]),
    events: ctx.events.length,
  };
}

/** Expects `attempt` to fail with `code` and change nothing in the conversation. */
async function refused(
  ctx: ScenarioContext,
  conversationId: string,
  code: ErrorCode,
  attempt: () => Promise<unknown>,
): Promise<ChatError> {
  const before = await snapshot(ctx, conversationId);
  const error = await expectRefusal(attempt(), code);
  expect(await snapshot(ctx, conversationId)).toEqual(before);
  return error;
}

/** Two friends and their conversation id. */
async function friends(ctx: ScenarioContext): Promise<{ a: TestUser; b: TestUser; conversationId: string }> {
  const a = await ctx.user('Alice');
  const b = await ctx.user('Bob');
  await ctx.befriend(a, b);
  return { a, b, conversationId: privateConversationId(a.id, b.id) };
}

async function sendMany(
  engine: ChatEngine,
  from: TestUser,
  to: TestUser,
  count: number,
): Promise<MessageView[]> {
  const out: MessageView[] = [];
  for (let i = 1; i <= count; i++) {
    out.push((await engine.messages.sendPrivate(from.id, { receiverId: to.id, content: `m${i}` })).message);
  }
  return out;
}

interface TestGroup {
  group: GroupRecord;
  conversationId: string;
}

/**
 * A group built straight in the store (owner, admins, plain members, each with a cursor at the
 * end of history, as the groups service opens them), so these scenarios depend on no group rule.
 */
async function makeGroup(
  ctx: ScenarioContext,
  owner: TestUser,
  members: TestUser[],
  options: { admins?: TestUser[]; muteAll?: boolean } = {},
): Promise<TestGroup> {
  const now = ctx.clock.now();
  const group: GroupRecord = {
    id: ids.next(),
    name: 'Trail crew',
    avatarUrl: null,
    ownerId: owner.id,
    announcement: null,
    joinPolicy: 'approval',
    muteAll: options.muteAll ?? false,
    maxMembers: 500,
    memberCount: 0,
    inviteVersion: 0,
    createdAt: now,
    updatedAt: now,
    dissolvedAt: null,
  };
  const member = (user: TestUser, role: GroupRole): GroupMemberRecord => ({
    groupId: group.id,
    userId: user.id,
    role,
    mutedUntil: null,
    joinedAt: now,
  });
  const admins = options.admins ?? [];
  const created = await ctx.store.groups.create(group, [
    member(owner, 'owner'),
    ...admins.map((u) => member(u, 'admin')),
    ...members.map((u) => member(u, 'member')),
  ]);
  const conversation = await ctx.store.messages.ensureConversation(newGroupConversation(group.id, now));
  await Promise.all(
    [owner, ...admins, ...members].map((u) =>
      ctx.store.messages.advanceCursor(u.id, conversation.id, { readSeq: conversation.lastSeq }, now),
    ),
  );
  return { group: created, conversationId: conversation.id };
}

async function sendGroupText(ctx: ScenarioContext, from: TestUser, g: TestGroup, content = 'hi') {
  return (await ctx.engine.messages.sendGroup(from.id, { groupId: g.group.id, content })).message;
}

/** What `postSystemMessage` needs, wired to the scenario's store, clock and recorded events. */
function systemContext(ctx: ScenarioContext): SystemMessageContext {
  const emit = ctx.engine.events.emit.bind(ctx.engine.events) as (
    name: string,
    payload: unknown,
    audience: unknown,
  ) => boolean;
  return { store: ctx.store, clock: ctx.clock, ids, emit };
}

const seqs = (messages: readonly MessageView[]) => messages.map((m) => m.seq);

/** Engine-level scenarios of the messaging area. */
export function messagingScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.messaging', options, (test) => {
    // ── Private messages ────────────────────────────────────────────────────────────────────

    test('a private message reaches the receiver and the sender’s other connections', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const { message } = await ctx.engine.messages.sendPrivate(
        a.id,
        { receiverId: b.id, content: 'hello Bob', clientMsgId: 'c-1' },
        { connectionId: 'socket-a1' },
      );
      expect(message).toMatchObject({
        conversationId,
        type: 'private',
        senderId: a.id,
        receiverId: b.id,
        content: 'hello Bob',
        contentType: 'text',
        clientMsgId: 'c-1',
        seq: 1,
        status: 'sent',
        createdAt: ctx.clock.now().toISOString(),
      });
      const events = ctx.eventsNamed('new_private_message');
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toEqual(message);
      expect(events[0]?.audience).toEqual({ users: [b.id, a.id], exceptConnection: 'socket-a1' });
      const history = await ctx.engine.messages.privateHistory(b.id, a.id);
      expect(history.messages.map((m) => m.id)).toEqual([message.id]);
    });

    test('media, location, custom and replies are stored as sent', async (ctx) => {
      const { a, b } = await friends(ctx);
      const send = (input: Record<string, unknown>) =>
        ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, ...input } as never);
      const first = (await send({ content: 'look' })).message;
      const image = (await send({ content: 'https://cdn.example.test/p.png', contentType: 'image' })).message;
      const file = (await send({ content: 'http://files.example.test/a.pdf', contentType: 'file' })).message;
      const where = (await send({ content: '{"lat":48.1,"lng":11.5}', contentType: 'location' })).message;
      const custom = (await send({ content: '{"card":"x"}', contentType: 'custom', replyTo: first.id }))
        .message;
      const reply = (
        await ctx.engine.messages.sendPrivate(b.id, { receiverId: a.id, content: 'ok', replyTo: image.id })
      ).message;
      expect([image.contentType, file.contentType, where.contentType, custom.contentType]).toEqual([
        'image',
        'file',
        'location',
        'custom',
      ]);
      expect(image.content).toBe('https://cdn.example.test/p.png');
      expect(custom.replyTo).toBe(first.id);
      expect(reply).toMatchObject({ replyTo: image.id, seq: 6 });
      const history = await ctx.engine.messages.privateHistory(a.id, b.id);
      expect(history.messages.map((m) => [m.seq, m.contentType, m.content])).toEqual([
        [1, 'text', 'look'],
        [2, 'image', 'https://cdn.example.test/p.png'],
        [3, 'file', 'http://files.example.test/a.pdf'],
        [4, 'location', '{"lat":48.1,"lng":11.5}'],
        [5, 'custom', '{"card":"x"}'],
        [6, 'text', 'ok'],
      ]);
    });

    test('bad private messages are refused with their code and change nothing', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const other = await ctx.user('Olga');
      await ctx.befriend(a, other);
      const elsewhere = (await ctx.engine.messages.sendPrivate(a.id, { receiverId: other.id, content: 'x' }))
        .message;
      await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'first' });
      const send = (input: Record<string, unknown>) =>
        ctx.engine.messages.sendPrivate(a.id, {
          receiverId: b.id,
          clientMsgId: 'retry-me',
          ...input,
        } as never);
      const cases: [ErrorCode, Record<string, unknown>][] = [
        ['VALIDATION_FAILED', { content: undefined }],
        ['VALIDATION_FAILED', { content: 42 }],
        ['VALIDATION_FAILED', { content: '' }],
        ['VALIDATION_FAILED', { content: ' \n\t ' }],
        ['PAYLOAD_TOO_LARGE', { content: 'x'.repeat(5001) }],
        ['VALIDATION_FAILED', { content: 'hi', contentType: 'system' }],
        ['VALIDATION_FAILED', { content: 'hi', contentType: 'sticker' }],
        ['VALIDATION_FAILED', { content: 'not a url', contentType: 'image' }],
        ['VALIDATION_FAILED', { content: 'ftp://files.example.test/a', contentType: 'file' }],
        ['VALIDATION_FAILED', { content: 'javascript:alert(1)', contentType: 'video' }],
        ['PAYLOAD_TOO_LARGE', { content: `https://x.test/${'a'.repeat(2048)}`, contentType: 'audio' }],
        ['PAYLOAD_TOO_LARGE', { content: 'x'.repeat(5001), contentType: 'custom' }],
        ['VALIDATION_FAILED', { content: '  ', contentType: 'location' }],
        ['VALIDATION_FAILED', { content: 'hi', clientMsgId: '' }],
        ['VALIDATION_FAILED', { content: 'hi', clientMsgId: 'c'.repeat(65) }],
        ['VALIDATION_FAILED', { content: 'hi', receiverId: undefined }],
        ['VALIDATION_FAILED', { content: 'hi', receiverId: a.id }],
        ['NOT_FOUND', { content: 'hi', receiverId: ids.next() }],
        ['NOT_FOUND', { content: 'hi', replyTo: ids.next() }],
        ['NOT_FOUND', { content: 'hi', replyTo: elsewhere.id }],
        ['VALIDATION_FAILED', { content: 'hi', replyTo: 7 }],
      ];
      for (const [code, input] of cases) {
        await refused(ctx, conversationId, code, () => send(input));
      }
      const invalid = await expectRefusal(send({ content: '' }), 'VALIDATION_FAILED');
      expect(invalid.details?.fields).toHaveProperty('content');
      // The refused attempts burnt neither a seq nor the clientMsgId.
      const { message } = await send({ content: 'finally' });
      expect(message).toMatchObject({ seq: 2, clientMsgId: 'retry-me', content: 'finally' });
    });

    test('text is limited in characters as users count them, per config', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const engine = ctx.withConfig({ maxTextLength: 10 });
      const ok = await engine.messages.sendPrivate(a.id, { receiverId: b.id, content: '😀'.repeat(10) });
      expect(ok.message.content).toBe('😀'.repeat(10));
      await refused(ctx, conversationId, 'PAYLOAD_TOO_LARGE', () =>
        engine.messages.sendPrivate(a.id, { receiverId: b.id, content: '😀'.repeat(11) }),
      );
      const full = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'y'.repeat(5000),
      });
      expect(full.message.content).toHaveLength(5000);
    });

    test('strangers get NOT_FRIENDS unless the policy is anyone', async (ctx) => {
      const a = await ctx.user('Ann');
      const stranger = await ctx.user('Stan');
      const conversationId = privateConversationId(a.id, stranger.id);
      await refused(ctx, conversationId, 'NOT_FRIENDS', () =>
        ctx.engine.messages.sendPrivate(a.id, { receiverId: stranger.id, content: 'hi' }),
      );
      const open = ctx.withConfig({ privateMessagePolicy: 'anyone' });
      const { message } = await open.messages.sendPrivate(a.id, { receiverId: stranger.id, content: 'hi' });
      expect(message.seq).toBe(1);
      expect(ctx.eventsNamed('new_private_message')).toHaveLength(1);
    });

    test('a block either way refuses private messages with BLOCKED, whatever the policy', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'before' });
      await ctx.engine.blacklist.add(b.id, { userId: a.id });
      const open = ctx.withConfig({ privateMessagePolicy: 'anyone' });
      for (const engine of [ctx.engine, open]) {
        await refused(ctx, conversationId, 'BLOCKED', () =>
          engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'hi' }),
        );
        await refused(ctx, conversationId, 'BLOCKED', () =>
          engine.messages.sendPrivate(b.id, { receiverId: a.id, content: 'hi' }),
        );
      }
      // A block hides no history.
      expect((await ctx.engine.messages.privateHistory(b.id, a.id)).messages).toHaveLength(1);
      await ctx.engine.blacklist.remove(b.id, a.id);
      const after = await open.messages.sendPrivate(a.id, { receiverId: b.id, content: 'after' });
      expect(after.message.seq).toBe(2);
    });

    test('history survives unfriending, though new messages need friendship again', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      await sendMany(ctx.engine, a, b, 3);
      await ctx.engine.friends.remove(a.id, b.id);
      expect(seqs((await ctx.engine.messages.privateHistory(b.id, a.id)).messages)).toEqual([1, 2, 3]);
      await refused(ctx, conversationId, 'NOT_FRIENDS', () =>
        ctx.engine.messages.sendPrivate(b.id, { receiverId: a.id, content: 'still there?' }),
      );
    });

    test('a repeated clientMsgId answers the first message: no second seq, no second event', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const first = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'once',
        clientMsgId: 'k',
      });
      const again = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'twice?',
        clientMsgId: 'k',
      });
      expect(again.message).toMatchObject({ id: first.message.id, seq: 1, content: 'once' });
      expect(ctx.eventsNamed('new_private_message')).toHaveLength(1);
      expect((await ctx.store.messages.getConversation(conversationId))?.lastSeq).toBe(1);
      // The same clientMsgId from the other side is another message.
      const fromB = await ctx.engine.messages.sendPrivate(b.id, {
        receiverId: a.id,
        content: 'mine',
        clientMsgId: 'k',
      });
      expect(fromB.message.seq).toBe(2);
      // A retry after the receiver read it answers the message as it stands.
      await ctx.engine.messages.markRead(b.id, conversationId, { seq: 1 });
      const late = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'once',
        clientMsgId: 'k',
      });
      expect(late.message).toMatchObject({ id: first.message.id, status: 'read' });
      // Reused in another conversation it is no retry: refused, nothing sent anywhere.
      const carol = await ctx.user('Carol');
      await ctx.befriend(a, carol);
      const events = ctx.events.length;
      const reused = await expectRefusal(
        ctx.engine.messages.sendPrivate(a.id, {
          receiverId: carol.id,
          content: 'for Carol',
          clientMsgId: 'k',
        }),
        'VALIDATION_FAILED',
      );
      expect(reused.details?.fields).toHaveProperty('clientMsgId');
      expect(ctx.events.length).toBe(events);
      const withCarol = privateConversationId(a.id, carol.id);
      expect((await ctx.store.messages.getConversation(withCarol))?.lastSeq ?? 0).toBe(0);
      expect(await ctx.engine.conversations.list(carol.id)).toEqual([]);
    });

    test('10 concurrent sends with one clientMsgId store one message and emit one event', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          ctx.engine.messages.sendPrivate(a.id, {
            receiverId: b.id,
            content: 'tap',
            clientMsgId: 'double-tap',
          }),
        ),
      );
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect(results.every((r) => r.message.seq === 1)).toBe(true);
      expect(ctx.eventsNamed('new_private_message')).toHaveLength(1);
      expect((await ctx.store.messages.getConversation(conversationId))?.lastSeq).toBe(1);
      const next = await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'next' });
      expect(next.message.seq).toBe(2);
    });

    test('100 concurrent sends get seq 1 to 100 with no gap and no repeat', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          i % 2 === 0
            ? ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: `a${i}` })
            : ctx.engine.messages.sendPrivate(b.id, { receiverId: a.id, content: `b${i}` }),
        ),
      );
      expect(results.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      expect((await ctx.store.messages.getConversation(conversationId))?.lastSeq).toBe(100);
      expect(ctx.eventsNamed('new_private_message')).toHaveLength(100);
      const page = await ctx.engine.messages.privateHistory(a.id, b.id, { limit: 100 });
      expect(seqs(page.messages)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    });

    // ── History ─────────────────────────────────────────────────────────────────────────────

    test('history pages: newest first page, beforeSeq, afterSeq, hasMore, limits', async (ctx) => {
      const { a, b } = await friends(ctx);
      await sendMany(ctx.engine, a, b, 60);
      const history = (input?: HistoryInput) => ctx.engine.messages.privateHistory(b.id, a.id, input);
      const newest = await history();
      expect(seqs(newest.messages)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
      expect(newest.hasMore).toBe(true);
      const before = await history({ beforeSeq: 11, limit: 20 });
      expect(seqs(before.messages)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(before.hasMore).toBe(false);
      const older = await history({ beforeSeq: 31, limit: 10 });
      expect(seqs(older.messages)).toEqual(Array.from({ length: 10 }, (_, i) => i + 21));
      expect(older.hasMore).toBe(true);
      const after = await history({ afterSeq: 55, limit: 3 });
      expect(seqs(after.messages)).toEqual([56, 57, 58]);
      expect(after.hasMore).toBe(true);
      const tail = await history({ afterSeq: 57 });
      expect(seqs(tail.messages)).toEqual([58, 59, 60]);
      expect(tail.hasMore).toBe(false);
      const all = await history({ limit: 100 });
      expect(all.messages).toHaveLength(60);
      expect(all.hasMore).toBe(false);
      expect(seqs((await history({ beforeSeq: 3, limit: 5 })).messages)).toEqual([1, 2]);
      // A seq or limit is a JSON integer: text, booleans, arrays and objects are refused, never guessed.
      const loose: unknown[] = [
        { beforeSeq: '3' },
        { limit: '5' },
        { afterSeq: true },
        { afterSeq: [1] },
        { afterSeq: { $gt: 0 } },
      ];
      for (const bad of [
        ...(loose as HistoryInput[]),
        { beforeSeq: 10, afterSeq: 2 },
        { limit: 0 },
        { limit: 101 },
        { beforeSeq: 0 },
        { afterSeq: -1 },
        { beforeSeq: 2.5 },
      ]) {
        const error = await expectRefusal(history(bad), 'VALIDATION_FAILED');
        expect(Object.keys((error.details?.fields as object) ?? {})).not.toHaveLength(0);
      }
    });

    test('private history: unknown peer NOT_FOUND, self refused, no friendship needed', async (ctx) => {
      const a = await ctx.user('Ann');
      const stranger = await ctx.user('Stan');
      await expectRefusal(ctx.engine.messages.privateHistory(a.id, ids.next()), 'NOT_FOUND');
      await expectRefusal(ctx.engine.messages.privateHistory(a.id, a.id), 'VALIDATION_FAILED');
      await expectRefusal(ctx.engine.messages.privateHistory(a.id, ''), 'VALIDATION_FAILED');
      expect(await ctx.engine.messages.privateHistory(a.id, stranger.id)).toEqual({
        messages: [],
        hasMore: false,
      });
    });

    test('the roaming window limits what history serves; the messages are kept', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const old = (await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'old' })).message;
      ctx.clock.advance(2 * DAY);
      const fresh = (await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'fresh' }))
        .message;
      const roaming = ctx.withConfig({ messageRoamingDays: 1 });
      const page = await roaming.messages.privateHistory(b.id, a.id);
      expect(page.messages.map((m) => m.id)).toEqual([fresh.id]);
      expect(page.hasMore).toBe(false);
      expect((await roaming.messages.privateHistory(b.id, a.id, { beforeSeq: 2 })).messages).toEqual([]);
      expect(
        (await roaming.messages.sync(b.id, { conversationId, afterSeq: 0 })).messages.map((m) => m.id),
      ).toEqual([fresh.id]);
      const everything = await ctx.engine.messages.privateHistory(b.id, a.id);
      expect(everything.messages.map((m) => m.id)).toEqual([old.id, fresh.id]);
      ctx.clock.advance(2 * DAY);
      expect((await roaming.messages.privateHistory(b.id, a.id)).messages).toEqual([]);
      expect(await ctx.store.messages.getMessage(old.id)).not.toBeNull();
    });

    test('delete-for-me hides a message from the caller only, idempotently', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const [m1, m2, m3] = await sendMany(ctx.engine, a, b, 3);
      await expect(ctx.engine.messages.deleteForMe(b.id, m2!.id)).resolves.toBeUndefined();
      await ctx.engine.messages.deleteForMe(b.id, m2!.id);
      expect((await ctx.engine.messages.privateHistory(b.id, a.id)).messages.map((m) => m.id)).toEqual([
        m1!.id,
        m3!.id,
      ]);
      expect((await ctx.engine.messages.sync(b.id, { conversationId, afterSeq: 0 })).messages).toHaveLength(
        2,
      );
      expect((await ctx.engine.messages.privateHistory(a.id, b.id)).messages).toHaveLength(3);
      const outsider = await ctx.user('Eve');
      await refused(ctx, conversationId, 'NOT_FOUND', () =>
        ctx.engine.messages.deleteForMe(outsider.id, m1!.id),
      );
      await expectRefusal(ctx.engine.messages.deleteForMe(b.id, ids.next()), 'NOT_FOUND');
      await expectRefusal(ctx.engine.messages.deleteForMe(b.id, ''), 'VALIDATION_FAILED');
      expect((await ctx.engine.messages.privateHistory(outsider.id, a.id)).messages).toEqual([]);
    });

    test('sync answers what follows afterSeq to the parties only', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      await sendMany(ctx.engine, a, b, 5);
      const page = await ctx.engine.messages.sync(b.id, { conversationId, afterSeq: 2, limit: 2 });
      expect(seqs(page.messages)).toEqual([3, 4]);
      expect(page.hasMore).toBe(true);
      expect((await ctx.engine.messages.sync(a.id, { conversationId, afterSeq: 5 })).messages).toEqual([]);
      const outsider = await ctx.user('Eve');
      await expectRefusal(
        ctx.engine.messages.sync(outsider.id, { conversationId, afterSeq: 0 }),
        'NOT_FOUND',
      );
      await expectRefusal(
        ctx.engine.messages.sync(a.id, { conversationId: 'nonsense', afterSeq: 0 }),
        'NOT_FOUND',
      );
      await expectRefusal(
        ctx.engine.messages.sync(a.id, { conversationId: `p:${a.id}:${a.id}`, afterSeq: 0 }),
        'NOT_FOUND',
      );
      await expectRefusal(ctx.engine.messages.sync(a.id, { conversationId } as never), 'VALIDATION_FAILED');
      await expectRefusal(
        ctx.engine.messages.sync(a.id, { conversationId, afterSeq: -1 }),
        'VALIDATION_FAILED',
      );
      const g = await makeGroup(ctx, a, [b]);
      await sendGroupText(ctx, b, g);
      expect(
        seqs(
          (await ctx.engine.messages.sync(a.id, { conversationId: g.conversationId, afterSeq: 0 })).messages,
        ),
      ).toEqual([1]);
      await expectRefusal(
        ctx.engine.messages.sync(outsider.id, { conversationId: g.conversationId, afterSeq: 0 }),
        'NOT_GROUP_MEMBER',
      );
      await expectRefusal(
        ctx.engine.messages.sync(a.id, { conversationId: groupConversationId(ids.next()), afterSeq: 0 }),
        'NOT_FOUND',
      );
    });

    // ── Receipts ────────────────────────────────────────────────────────────────────────────

    test('delivery: the receiver’s device acknowledges, the sender hears it once', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const [m1, m2] = await sendMany(ctx.engine, a, b, 2);
      await ctx.engine.messages.markDelivered(b.id, m1!.id);
      await ctx.engine.messages.markDelivered(b.id, m1!.id);
      const delivered = ctx.eventsNamed('message_delivered');
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.payload).toEqual({ messageId: m1!.id, conversationId, userId: b.id, seq: 1 });
      expect(delivered[0]?.audience).toEqual({ users: [a.id] });
      const statuses = async () =>
        (await ctx.engine.messages.privateHistory(a.id, b.id)).messages.map((m) => m.status);
      expect(await statuses()).toEqual(['delivered', 'sent']);
      // The receiver sees no status on messages it received.
      expect((await ctx.engine.messages.privateHistory(b.id, a.id)).messages[0]?.status).toBeUndefined();
      // The sender's own devices acknowledging the echo change nothing.
      await ctx.engine.messages.markDelivered(a.id, m2!.id);
      expect(await statuses()).toEqual(['delivered', 'sent']);
      expect(ctx.eventsNamed('message_delivered')).toHaveLength(1);
      const outsider = await ctx.user('Eve');
      await refused(ctx, conversationId, 'NOT_FOUND', () =>
        ctx.engine.messages.markDelivered(outsider.id, m2!.id),
      );
      await expectRefusal(ctx.engine.messages.markDelivered(b.id, ids.next()), 'NOT_FOUND');
      await expectRefusal(ctx.engine.messages.markDelivered(b.id, ''), 'VALIDATION_FAILED');
      expect(await statuses()).toEqual(['delivered', 'sent']);
    });

    test('read of seq N reads everything up to N and never moves back', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const [m1, m2] = await sendMany(ctx.engine, a, b, 3);
      const statuses = async () =>
        (await ctx.engine.messages.privateHistory(a.id, b.id)).messages.map((m) => m.status);
      await ctx.engine.messages.markRead(b.id, conversationId, { seq: 2 });
      expect(await statuses()).toEqual(['read', 'read', 'sent']);
      const read = ctx.eventsNamed('message_read');
      expect(read).toHaveLength(1);
      expect(read[0]?.payload).toEqual({ messageId: m2!.id, readerId: b.id, conversationId, seq: 2 });
      expect(read[0]?.audience).toEqual({ users: [a.id] });
      // Going back, or delivering what is read, changes nothing and tells nobody.
      await ctx.engine.messages.markRead(b.id, conversationId, { seq: 1 });
      await ctx.engine.messages.markDelivered(b.id, m1!.id);
      await ctx.engine.messages.updateStatus(b.id, { messageId: m1!.id, status: 'delivered' });
      expect(await statuses()).toEqual(['read', 'read', 'sent']);
      expect(ctx.eventsNamed('message_read')).toHaveLength(1);
      expect(ctx.eventsNamed('message_delivered')).toHaveLength(0);
      const cursor = await ctx.store.messages.getCursor(b.id, conversationId);
      expect(cursor).toMatchObject({ readSeq: 2, deliveredSeq: 2 });
      for (const seq of [0, 4, -1, 1.5]) {
        await refused(ctx, conversationId, 'VALIDATION_FAILED', () =>
          ctx.engine.messages.markRead(b.id, conversationId, { seq }),
        );
      }
      const outsider = await ctx.user('Eve');
      await refused(ctx, conversationId, 'NOT_FOUND', () =>
        ctx.engine.messages.markRead(outsider.id, conversationId, { seq: 1 }),
      );
      await expectRefusal(ctx.engine.messages.markRead(b.id, 'nonsense', { seq: 1 }), 'NOT_FOUND');
      expect(await ctx.store.messages.getCursor(b.id, conversationId)).toEqual(cursor);
    });

    test('message_status_update maps to delivered and read', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const [m1, m2] = await sendMany(ctx.engine, a, b, 2);
      await ctx.engine.messages.updateStatus(b.id, { messageId: m1!.id, status: 'delivered' });
      expect(ctx.eventsNamed('message_delivered').map((e) => e.payload.messageId)).toEqual([m1!.id]);
      await ctx.engine.messages.updateStatus(b.id, { messageId: m2!.id, status: 'read' });
      expect(ctx.eventsNamed('message_read').map((e) => e.payload)).toEqual([
        { messageId: m2!.id, readerId: b.id, conversationId, seq: 2 },
      ]);
      await refused(ctx, conversationId, 'VALIDATION_FAILED', () =>
        ctx.engine.messages.updateStatus(b.id, { messageId: m1!.id, status: 'seen' as never }),
      );
      await expectRefusal(
        ctx.engine.messages.updateStatus(b.id, { messageId: ids.next(), status: 'read' }),
        'NOT_FOUND',
      );
    });

    test('reading up to one’s own message tells the peer their earlier messages were read', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const [fromA] = await sendMany(ctx.engine, a, b, 1);
      const reply = (await ctx.engine.messages.sendPrivate(b.id, { receiverId: a.id, content: 're' }))
        .message;
      await ctx.engine.messages.markRead(a.id, conversationId, { seq: 2 });
      expect(ctx.eventsNamed('message_read').map((e) => [e.payload.messageId, e.audience.users])).toEqual([
        [reply.id, [b.id]],
      ]);
      expect((await ctx.engine.messages.privateHistory(a.id, b.id)).messages[0]).toMatchObject({
        id: fromA!.id,
        status: 'read',
      });
    });

    // ── Recall ──────────────────────────────────────────────────────────────────────────────

    test('the sender recalls within the window: a tombstone for every party', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const [m1] = await sendMany(ctx.engine, a, b, 2);
      ctx.clock.advance(119_000);
      const { message } = await ctx.engine.messages.recall(a.id, m1!.id);
      expect(message).toMatchObject({ id: m1!.id, content: '', recalled: true, seq: 1 });
      const recalled = ctx.eventsNamed('message_recalled');
      expect(recalled).toHaveLength(1);
      expect(recalled[0]?.payload).toEqual({ messageId: m1!.id, conversationId, by: a.id });
      expect([...(recalled[0]?.audience.users ?? [])].sort()).toEqual([a.id, b.id].sort());
      const history = await ctx.engine.messages.privateHistory(b.id, a.id);
      expect(history.messages[0]).toMatchObject({ id: m1!.id, content: '', recalled: true });
      expect(history.messages[1]?.content).toBe('m2');
      // Recalling again answers the tombstone and tells nobody again.
      const again = await ctx.engine.messages.recall(a.id, m1!.id);
      expect(again.message).toMatchObject({ content: '', recalled: true });
      expect(ctx.eventsNamed('message_recalled')).toHaveLength(1);
    });

    test('recall is refused after the window, to the receiver and to outsiders', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const [m1, m2] = await sendMany(ctx.engine, a, b, 2);
      const outsider = await ctx.user('Eve');
      await refused(ctx, conversationId, 'FORBIDDEN', () => ctx.engine.messages.recall(b.id, m1!.id));
      await refused(ctx, conversationId, 'NOT_FOUND', () => ctx.engine.messages.recall(outsider.id, m1!.id));
      await expectRefusal(ctx.engine.messages.recall(a.id, ids.next()), 'NOT_FOUND');
      await expectRefusal(ctx.engine.messages.recall(a.id, ''), 'VALIDATION_FAILED');
      ctx.clock.advance(120_001);
      await refused(ctx, conversationId, 'RECALL_WINDOW_EXPIRED', () =>
        ctx.engine.messages.recall(a.id, m2!.id),
      );
      const longer = ctx.withConfig({ recallWindowSeconds: 600 });
      expect((await longer.messages.recall(a.id, m2!.id)).message.recalled).toBe(true);
    });

    // ── Groups ──────────────────────────────────────────────────────────────────────────────

    test('a group message reaches the group’s room and numbers per group', async (ctx) => {
      const owner = await ctx.user('Olive');
      const member = await ctx.user('Milo');
      const g = await makeGroup(ctx, owner, [member]);
      const { message } = await ctx.engine.messages.sendGroup(
        member.id,
        { groupId: g.group.id, content: 'hello all', clientMsgId: 'g-1' },
        { connectionId: 'sock-m' },
      );
      expect(message).toMatchObject({
        conversationId: g.conversationId,
        type: 'group',
        groupId: g.group.id,
        senderId: member.id,
        content: 'hello all',
        seq: 1,
      });
      expect(message.status).toBeUndefined();
      const events = ctx.eventsNamed('new_group_message');
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toEqual(message);
      expect(events[0]?.audience).toEqual({ groups: [g.group.id], exceptConnection: 'sock-m' });
      const retry = await ctx.engine.messages.sendGroup(member.id, {
        groupId: g.group.id,
        content: 'x',
        clientMsgId: 'g-1',
      });
      expect(retry.message.id).toBe(message.id);
      expect(ctx.eventsNamed('new_group_message')).toHaveLength(1);
      expect((await sendGroupText(ctx, owner, g)).seq).toBe(2);
      expect(seqs((await ctx.engine.messages.groupHistory(owner.id, g.group.id)).messages)).toEqual([1, 2]);
    });

    test('bad group messages are refused with their code and change nothing', async (ctx) => {
      const owner = await ctx.user('Olive');
      const member = await ctx.user('Milo');
      const outsider = await ctx.user('Eve');
      const g = await makeGroup(ctx, owner, [member]);
      const other = await makeGroup(ctx, outsider, []);
      const elsewhere = await sendGroupText(ctx, outsider, other);
      await sendGroupText(ctx, member, g);
      const send = (userId: string, input: Record<string, unknown>) =>
        ctx.engine.messages.sendGroup(userId, { groupId: g.group.id, content: 'hi', ...input } as never);
      const cases: [ErrorCode, string, Record<string, unknown>][] = [
        ['VALIDATION_FAILED', member.id, { groupId: undefined }],
        ['VALIDATION_FAILED', member.id, { content: '   ' }],
        ['PAYLOAD_TOO_LARGE', member.id, { content: 'x'.repeat(5001) }],
        ['VALIDATION_FAILED', member.id, { contentType: 'system' }],
        ['VALIDATION_FAILED', member.id, { content: 'nope', contentType: 'image' }],
        ['VALIDATION_FAILED', member.id, { mentions: 'everyone' }],
        ['VALIDATION_FAILED', member.id, { mentions: Array.from({ length: 101 }, () => ids.next()) }],
        ['VALIDATION_FAILED', member.id, { mentionAll: 'yes' }],
        ['VALIDATION_FAILED', member.id, { clientMsgId: 'c'.repeat(65) }],
        ['NOT_FOUND', member.id, { groupId: ids.next() }],
        ['NOT_GROUP_MEMBER', outsider.id, {}],
        ['VALIDATION_FAILED', member.id, { mentions: [outsider.id] }],
        ['FORBIDDEN', member.id, { mentionAll: true }],
        ['NOT_FOUND', member.id, { replyTo: elsewhere.id }],
        ['NOT_FOUND', member.id, { replyTo: ids.next() }],
      ];
      for (const [code, userId, input] of cases) {
        await refused(ctx, g.conversationId, code, () => send(userId, input));
      }
      const strangers = await expectRefusal(
        send(member.id, { mentions: [owner.id, outsider.id] }),
        'VALIDATION_FAILED',
      );
      expect(strangers.details?.notMembers).toEqual([outsider.id]);
      expect(JSON.stringify(strangers.details?.fields)).toContain(outsider.id);
      await ctx.store.groups.update(g.group.id, { dissolvedAt: ctx.clock.now() });
      await refused(ctx, g.conversationId, 'NOT_FOUND', () => send(owner.id, {}));
    });

    test('a muted member is refused with MUTED until the mute ends', async (ctx) => {
      const owner = await ctx.user('Olive');
      const member = await ctx.user('Milo');
      const admin = await ctx.user('Ada');
      const g = await makeGroup(ctx, owner, [member], { admins: [admin] });
      const until = new Date(ctx.clock.now().getTime() + 10 * MINUTE);
      await ctx.store.groups.updateMember(g.group.id, member.id, { mutedUntil: until });
      await ctx.store.groups.updateMember(g.group.id, admin.id, { mutedUntil: until });
      const error = await refused(ctx, g.conversationId, 'MUTED', () => sendGroupText(ctx, member, g));
      expect(error.details?.mutedUntil).toBe(until.toISOString());
      // A mute holds for admins too; the owner is not muted.
      await refused(ctx, g.conversationId, 'MUTED', () => sendGroupText(ctx, admin, g));
      expect((await sendGroupText(ctx, owner, g)).seq).toBe(1);
      ctx.clock.advance(10 * MINUTE + 1);
      expect((await sendGroupText(ctx, member, g)).seq).toBe(2);
    });

    test('during mute-all only the owner and admins talk', async (ctx) => {
      const owner = await ctx.user('Olive');
      const member = await ctx.user('Milo');
      const admin = await ctx.user('Ada');
      const g = await makeGroup(ctx, owner, [member], { admins: [admin], muteAll: true });
      await refused(ctx, g.conversationId, 'MUTED', () => sendGroupText(ctx, member, g));
      expect((await sendGroupText(ctx, owner, g)).seq).toBe(1);
      expect((await sendGroupText(ctx, admin, g)).seq).toBe(2);
      await ctx.store.groups.update(g.group.id, { muteAll: false });
      expect((await sendGroupText(ctx, member, g)).seq).toBe(3);
    });

    test('mentions tell the mentioned and flag the conversation until read', async (ctx) => {
      const owner = await ctx.user('Olive');
      const [m1, m2, m3] = [await ctx.user('Milo'), await ctx.user('Mia'), await ctx.user('Max')];
      const g = await makeGroup(ctx, owner, [m1, m2, m3]);
      const { message } = await ctx.engine.messages.sendGroup(m1.id, {
        groupId: g.group.id,
        content: '@Mia @Max look',
        mentions: [m2.id, m3.id, m2.id, m1.id],
      });
      expect([...(message.mentions ?? [])].sort()).toEqual([m1.id, m2.id, m3.id].sort());
      const mentions = ctx.eventsNamed('mention');
      expect(mentions).toHaveLength(1);
      expect(mentions[0]?.payload).toEqual({ messageId: message.id, groupId: g.group.id, from: m1.id });
      expect([...(mentions[0]?.audience.users ?? [])].sort()).toEqual([m2.id, m3.id].sort());
      const entry = async (user: TestUser) =>
        (await ctx.engine.conversations.list(user.id)).find((c) => c.id === g.conversationId);
      expect(await entry(m2)).toMatchObject({ mentioned: true, unreadCount: 1 });
      expect(await entry(owner)).toMatchObject({ mentioned: false, unreadCount: 1 });
      expect(await entry(m1)).toMatchObject({ mentioned: false, unreadCount: 0 });
      await ctx.engine.messages.markRead(m2.id, g.conversationId, { seq: 1 });
      expect(await entry(m2)).toMatchObject({ mentioned: false, unreadCount: 0 });
    });

    test('mentionAll is for the owner and admins and reaches the whole group', async (ctx) => {
      const owner = await ctx.user('Olive');
      const admin = await ctx.user('Ada');
      const member = await ctx.user('Milo');
      const g = await makeGroup(ctx, owner, [member], { admins: [admin] });
      await refused(ctx, g.conversationId, 'FORBIDDEN', () =>
        ctx.engine.messages.sendGroup(member.id, {
          groupId: g.group.id,
          content: 'all!',
          mentionAll: true,
        }),
      );
      const { message } = await ctx.engine.messages.sendGroup(
        admin.id,
        { groupId: g.group.id, content: 'meeting', mentionAll: true },
        { connectionId: 'sock-ada' },
      );
      expect(message.mentionAll).toBe(true);
      const mentions = ctx.eventsNamed('mention');
      expect(mentions).toHaveLength(1);
      expect(mentions[0]?.audience).toEqual({ groups: [g.group.id], exceptConnection: 'sock-ada' });
      const list = await ctx.engine.conversations.list(member.id);
      expect(list.find((c) => c.id === g.conversationId)).toMatchObject({ mentioned: true });
      const own = await ctx.engine.conversations.list(admin.id);
      expect(own.find((c) => c.id === g.conversationId)).toMatchObject({ mentioned: false });
    });

    test('group history and its receipts are for members only', async (ctx) => {
      const owner = await ctx.user('Olive');
      const member = await ctx.user('Milo');
      const outsider = await ctx.user('Eve');
      const g = await makeGroup(ctx, owner, [member]);
      const sent = await sendGroupText(ctx, owner, g);
      await expectRefusal(ctx.engine.messages.groupHistory(outsider.id, g.group.id), 'NOT_GROUP_MEMBER');
      await expectRefusal(ctx.engine.messages.groupHistory(owner.id, ids.next()), 'NOT_FOUND');
      await expectRefusal(
        ctx.engine.messages.groupHistory(owner.id, g.group.id, { beforeSeq: 2, afterSeq: 0 }),
        'VALIDATION_FAILED',
      );
      await refused(ctx, g.conversationId, 'NOT_GROUP_MEMBER', () =>
        ctx.engine.messages.markDelivered(outsider.id, sent.id),
      );
      await refused(ctx, g.conversationId, 'NOT_GROUP_MEMBER', () =>
        ctx.engine.messages.markRead(outsider.id, g.conversationId, { seq: 1 }),
      );
      await refused(ctx, g.conversationId, 'NOT_FOUND', () =>
        ctx.engine.messages.deleteForMe(outsider.id, sent.id),
      );
      expect(await ctx.store.messages.getCursor(outsider.id, g.conversationId)).toBeNull();
      const page = await ctx.engine.messages.groupHistory(member.id, g.group.id);
      expect(page.messages.map((m) => m.id)).toEqual([sent.id]);
    });

    test('group receipts: the sender hears each member’s delivery and read once', async (ctx) => {
      const owner = await ctx.user('Olive');
      const [m1, m2] = [await ctx.user('Milo'), await ctx.user('Mia')];
      const g = await makeGroup(ctx, owner, [m1, m2]);
      const sent = await sendGroupText(ctx, owner, g);
      await ctx.engine.messages.markDelivered(m1.id, sent.id);
      await ctx.engine.messages.markDelivered(m1.id, sent.id);
      await ctx.engine.messages.markDelivered(m2.id, sent.id);
      await ctx.engine.messages.markDelivered(owner.id, sent.id);
      const delivered = ctx.eventsNamed('message_delivered');
      expect(delivered.map((e) => e.payload.userId).sort()).toEqual([m1.id, m2.id].sort());
      expect(delivered.every((e) => e.audience.users?.length === 1 && e.audience.users[0] === owner.id)).toBe(
        true,
      );
      await ctx.engine.messages.markRead(m1.id, g.conversationId, { seq: 1 });
      await ctx.engine.messages.markRead(m1.id, g.conversationId, { seq: 1 });
      const read = ctx.eventsNamed('message_read');
      expect(read.map((e) => [e.payload, e.audience])).toEqual([
        [
          { messageId: sent.id, readerId: m1.id, conversationId: g.conversationId, seq: 1 },
          { users: [owner.id] },
        ],
      ]);
    });

    test('readers of a group message: for its sender and admins, without the sender', async (ctx) => {
      const owner = await ctx.user('Olive');
      const admin = await ctx.user('Ada');
      const [m1, m2, m3] = [await ctx.user('Milo'), await ctx.user('Mia'), await ctx.user('Max')];
      const g = await makeGroup(ctx, owner, [m1, m2, m3], { admins: [admin] });
      const sent = await sendGroupText(ctx, m1, g);
      await sendGroupText(ctx, m2, g);
      await ctx.engine.messages.markRead(m2.id, g.conversationId, { seq: 2 });
      await ctx.engine.messages.markRead(m3.id, g.conversationId, { seq: 1 });
      for (const viewer of [m1, owner, admin]) {
        const readers = await ctx.engine.messages.readers(viewer.id, sent.id);
        expect(readers.items.map((u) => u.id).sort()).toEqual([m2.id, m3.id].sort());
        expect(readers.items.find((u) => u.id === m2.id)?.nickname).toBe('Mia');
        expect(readers.hasMore).toBe(false);
      }
      const firstPage = await ctx.engine.messages.readers(owner.id, sent.id, { limit: 1 });
      expect(firstPage.hasMore).toBe(true);
      expect(firstPage.items.length).toBeLessThanOrEqual(1);
      await expectRefusal(ctx.engine.messages.readers(m3.id, sent.id), 'FORBIDDEN');
      const outsider = await ctx.user('Eve');
      await expectRefusal(ctx.engine.messages.readers(outsider.id, sent.id), 'NOT_GROUP_MEMBER');
      await expectRefusal(ctx.engine.messages.readers(owner.id, ids.next()), 'NOT_FOUND');
      await expectRefusal(ctx.engine.messages.readers(owner.id, sent.id, { limit: 0 }), 'VALIDATION_FAILED');
      await ctx.befriend(m1, m2);
      const direct = (await ctx.engine.messages.sendPrivate(m1.id, { receiverId: m2.id, content: 'dm' }))
        .message;
      await expectRefusal(ctx.engine.messages.readers(m1.id, direct.id), 'VALIDATION_FAILED');
    });

    test('group owner and admins recall any message any time; members only their own', async (ctx) => {
      const owner = await ctx.user('Olive');
      const admin = await ctx.user('Ada');
      const [m1, m2] = [await ctx.user('Milo'), await ctx.user('Mia')];
      const g = await makeGroup(ctx, owner, [m1, m2], { admins: [admin] });
      const first = await sendGroupText(ctx, m1, g, 'one');
      const second = await sendGroupText(ctx, m1, g, 'two');
      await refused(ctx, g.conversationId, 'FORBIDDEN', () => ctx.engine.messages.recall(m2.id, first.id));
      ctx.clock.advance(DAY);
      await refused(ctx, g.conversationId, 'RECALL_WINDOW_EXPIRED', () =>
        ctx.engine.messages.recall(m1.id, first.id),
      );
      const byAdmin = await ctx.engine.messages.recall(admin.id, first.id);
      expect(byAdmin.message).toMatchObject({ content: '', recalled: true });
      await ctx.engine.messages.recall(owner.id, second.id);
      const recalled = ctx.eventsNamed('message_recalled');
      expect(recalled.map((e) => [e.payload, e.audience])).toEqual([
        [{ messageId: first.id, conversationId: g.conversationId, by: admin.id }, { groups: [g.group.id] }],
        [{ messageId: second.id, conversationId: g.conversationId, by: owner.id }, { groups: [g.group.id] }],
      ]);
      const system = await postSystemMessage(systemContext(ctx), g.group.id, 'Mia joined', {
        actorId: m2.id,
      });
      await refused(ctx, g.conversationId, 'FORBIDDEN', () =>
        ctx.engine.messages.recall(owner.id, system.id),
      );
    });

    test('system messages: written by the core into history, never sent by clients', async (ctx) => {
      const owner = await ctx.user('Olive');
      const member = await ctx.user('Milo');
      const g = await makeGroup(ctx, owner, [member]);
      const engineCtx = systemContext(ctx);
      const view = await postSystemMessage(engineCtx, g.group.id, 'Milo joined the group', {
        actorId: member.id,
      });
      expect(view).toMatchObject({
        contentType: 'system',
        senderId: member.id,
        content: 'Milo joined the group',
        seq: 1,
      });
      const anonymous = await postSystemMessage(engineCtx, g.group.id, 'The group was renamed');
      expect(anonymous).toMatchObject({ senderId: 'system', seq: 2 });
      const events = ctx.eventsNamed('new_group_message');
      expect(events.map((e) => [e.payload.id, e.audience])).toEqual([
        [view.id, { groups: [g.group.id] }],
        [anonymous.id, { groups: [g.group.id] }],
      ]);
      const history = await ctx.engine.messages.groupHistory(owner.id, g.group.id);
      expect(history.messages.map((m) => m.contentType)).toEqual(['system', 'system']);
      // The actor has seen their own action; the others have not.
      const unread = async (user: TestUser) =>
        (await ctx.engine.conversations.list(user.id)).find((c) => c.id === g.conversationId)?.unreadCount;
      expect(await unread(owner)).toBe(2);
      expect(await unread(member)).toBe(1);
      // Someone who already left gets no cursor back from the message about it.
      const gone = await ctx.user('Gus');
      await postSystemMessage(engineCtx, g.group.id, 'Gus left the group', { actorId: gone.id });
      expect(await ctx.store.messages.getCursor(gone.id, g.conversationId)).toBeNull();
      // A fresh group gets its conversation from the first system message.
      const other = ids.next();
      const first = await postSystemMessage(engineCtx, other, 'created');
      expect(first).toMatchObject({ seq: 1, conversationId: groupConversationId(other) });
    });

    // ── Conversation list ───────────────────────────────────────────────────────────────────

    test('the conversation list: both parties, unread counts, newest first', async (ctx) => {
      const { a, b, conversationId } = await friends(ctx);
      const c = await ctx.user('Cleo');
      await ctx.befriend(a, c);
      expect(await ctx.engine.conversations.list(a.id)).toEqual([]);
      await sendMany(ctx.engine, a, b, 3);
      ctx.clock.advance(1000);
      const toC = (await ctx.engine.messages.sendPrivate(c.id, { receiverId: a.id, content: 'hey' })).message;
      const listA = await ctx.engine.conversations.list(a.id);
      expect(listA.map((e) => e.id)).toEqual([privateConversationId(a.id, c.id), conversationId]);
      expect(listA[0]).toMatchObject({
        type: 'private',
        peer: { id: c.id, nickname: 'Cleo' },
        lastMessage: { id: toC.id, content: 'hey' },
        unreadCount: 1,
        mentioned: false,
        updatedAt: toC.createdAt,
      });
      expect(listA[1]).toMatchObject({ unreadCount: 0, lastMessage: { seq: 3, status: 'sent' } });
      expect(listA[1]?.peer).not.toHaveProperty('email');
      const listB = await ctx.engine.conversations.list(b.id);
      expect(listB).toHaveLength(1);
      expect(listB[0]).toMatchObject({ id: conversationId, peer: { id: a.id }, unreadCount: 3 });
      await ctx.engine.messages.markRead(b.id, conversationId, { seq: 2 });
      expect((await ctx.engine.conversations.list(b.id))[0]?.unreadCount).toBe(1);
      expect((await ctx.engine.conversations.list(a.id))[1]?.lastMessage?.status).toBe('sent');
      await ctx.engine.messages.markRead(b.id, conversationId, { seq: 3 });
      expect((await ctx.engine.conversations.list(b.id))[0]?.unreadCount).toBe(0);
      expect((await ctx.engine.conversations.list(a.id))[1]?.lastMessage?.status).toBe('read');
      // A receiver who never opened the conversation still lists it.
      expect((await ctx.engine.conversations.list(c.id))[0]).toMatchObject({
        unreadCount: 0,
        peer: { id: a.id },
      });
    });

    test('the conversation list pages newest first with hasMore, reading last messages for the page only', async (ctx) => {
      const me = await ctx.user('Hub');
      const peers: TestUser[] = [];
      for (let i = 0; i < 5; i++) {
        const peer = await ctx.user(`Peer${i}`);
        await ctx.befriend(me, peer);
        await ctx.engine.messages.sendPrivate(peer.id, { receiverId: me.id, content: `hi ${i}` });
        ctx.clock.advance(1000);
        peers.push(peer);
      }
      const newestFirst = [...peers].reverse().map((p) => privateConversationId(me.id, p.id));
      expect((await ctx.engine.conversations.list(me.id)).map((c) => c.id)).toEqual(newestFirst);
      const { store, counts } = countingStore(ctx.store);
      const engine = engineOver(ctx, { store });
      const first = await engine.conversations.page(me.id, { limit: 2 });
      expect(first.items.map((c) => c.id)).toEqual(newestFirst.slice(0, 2));
      expect(first.items[0]).toMatchObject({ unreadCount: 1, lastMessage: { content: 'hi 4' } });
      expect(first.hasMore).toBe(true);
      expect(counts.get('messages.listMessages')).toBe(2);
      const rest: string[] = [];
      let cursor = first.nextCursor;
      while (cursor !== null) {
        const page = await engine.conversations.page(me.id, { limit: 2, cursor });
        rest.push(...page.items.map((c) => c.id));
        expect(page.nextCursor === null).toBe(!page.hasMore);
        cursor = page.nextCursor;
      }
      expect(rest).toEqual(newestFirst.slice(2));
      expect(await engine.conversations.page(me.id)).toMatchObject({ hasMore: false, nextCursor: null });
      await expectRefusal(engine.conversations.page(me.id, { limit: 101 }), 'VALIDATION_FAILED');
      const forged = Buffer.from('no colon here').toString('base64url');
      await expectRefusal(engine.conversations.page(me.id, { cursor: forged }), 'VALIDATION_FAILED');
      await engine.close();
    });

    test('hot paths: a send costs the same store calls on a long history or a big group as on a small one', async (ctx) => {
      const { store, counts } = countingStore(ctx.store);
      const engine = engineOver(ctx, { store });
      const { a, b } = await friends(ctx);
      const sendCost = async () => {
        counts.clear();
        await engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'count me' });
        return totalCalls(counts);
      };
      await sendMany(engine, a, b, 2);
      const short = await sendCost();
      await sendMany(engine, a, b, 60);
      expect(await sendCost()).toBe(short);
      expect(short).toBeLessThanOrEqual(6);
      expect(counts.get('messages.listMessages') ?? 0).toBe(0);

      const crowd: TestUser[] = [];
      for (let i = 0; i < 30; i++) crowd.push(await ctx.user(`Crowd${i}`));
      const small = await makeGroup(ctx, a, crowd.slice(0, 2));
      const big = await makeGroup(ctx, a, crowd);
      const groupCost = async (g: TestGroup) => {
        counts.clear();
        await engine.messages.sendGroup(a.id, {
          groupId: g.group.id,
          content: 'hello @Crowd0 @Crowd1',
          mentions: [crowd[0]!.id, crowd[1]!.id],
        });
        expect(counts.get('groups.listMemberIds') ?? 0).toBeLessThanOrEqual(1);
        expect(counts.get('groups.getMember') ?? 0).toBe(1);
        expect(totalCalls(counts, 'users')).toBe(0);
        return totalCalls(counts);
      };
      expect(await groupCost(big)).toBe(await groupCost(small));
      await engine.close();
    });

    test('the conversation list hides deleted-for-me last messages and shows recall tombstones', async (ctx) => {
      const { a, b } = await friends(ctx);
      const [m1, m2] = await sendMany(ctx.engine, a, b, 2);
      await ctx.engine.messages.deleteForMe(b.id, m2!.id);
      expect((await ctx.engine.conversations.list(b.id))[0]?.lastMessage?.id).toBe(m1!.id);
      await ctx.engine.messages.recall(a.id, m2!.id);
      expect((await ctx.engine.conversations.list(a.id))[0]?.lastMessage).toMatchObject({
        id: m2!.id,
        content: '',
        recalled: true,
      });
    });

    test('the conversation list shows the user’s groups and drops groups they left', async (ctx) => {
      const owner = await ctx.user('Olive');
      const member = await ctx.user('Milo');
      const g = await makeGroup(ctx, owner, [member]);
      const quiet = await makeGroup(ctx, owner, [member]);
      await ctx.store.groups.update(quiet.group.id, { name: 'Quiet' });
      ctx.clock.advance(1000);
      const last = await sendGroupText(ctx, owner, g, 'hello');
      const list = await ctx.engine.conversations.list(member.id);
      expect(list.map((e) => e.id)).toEqual([g.conversationId, quiet.conversationId]);
      expect(list[0]).toMatchObject({
        type: 'group',
        group: { id: g.group.id, name: 'Trail crew', memberCount: 2 },
        lastMessage: { id: last.id },
        unreadCount: 1,
        mentioned: false,
      });
      expect(list[1]).toMatchObject({ group: { name: 'Quiet' }, lastMessage: null, unreadCount: 0 });
      await ctx.store.groups.removeMember(g.group.id, member.id);
      expect((await ctx.engine.conversations.list(member.id)).map((e) => e.id)).toEqual([
        quiet.conversationId,
      ]);
      await ctx.store.groups.update(quiet.group.id, { dissolvedAt: ctx.clock.now() });
      expect(await ctx.engine.conversations.list(member.id)).toEqual([]);
      expect((await ctx.engine.conversations.list(owner.id)).map((e) => e.id)).toEqual([g.conversationId]);
    });

    test('groups made by the groups service list and talk like any other', async (ctx) => {
      const owner = await ctx.user('Olive');
      const member = await ctx.user('Milo');
      await ctx.befriend(owner, member);
      const { group } = await ctx.engine.groups.create(owner.id, { name: 'Made', memberIds: [member.id] });
      const conversationId = groupConversationId(group.id);
      const before = (await ctx.store.messages.getConversation(conversationId))?.lastSeq ?? 0;
      const sent = await ctx.engine.messages.sendGroup(member.id, { groupId: group.id, content: 'hi' });
      expect(sent.message.seq).toBe(before + 1);
      const list = await ctx.engine.conversations.list(owner.id);
      expect(list.find((c) => c.id === conversationId)).toMatchObject({
        group: { id: group.id },
        lastMessage: { id: sent.message.id },
        unreadCount: 1,
      });
      const history = await ctx.engine.messages.groupHistory(owner.id, group.id);
      expect(history.messages.at(-1)?.id).toBe(sent.message.id);
      expect(seqs(history.messages)).toEqual(Array.from({ length: before + 1 }, (_, i) => i + 1));
    });
  });
}
