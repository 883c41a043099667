/**
 * The dispatcher and the inputs every transport feeds it: the per-user event budget (one budget
 * for every connection and REST send), unknown events, ack envelopes, loose payloads and names.
 */
import { expect } from 'vitest';
import { groupConversationId, privateConversationId } from '../../messaging/conversation-ids.js';
import type { ConformanceOptions } from '../harness.js';
import { expectRefusal } from './refusals.js';
import { defineScenarios } from './scenario-area.js';

const socketA = { connectionId: 'conn-a' };
const socketB = { connectionId: 'conn-b' };

export function dispatchScenarios(options: ConformanceOptions): void {
  defineScenarios('dispatch', options, (test) => {
    test('answers the contract envelope: ok with data, or the error body; never throws', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      await ctx.befriend(a, b);
      const sent = await ctx.engine.dispatcher.handle(
        a.id,
        'private_message',
        { receiverId: b.id, content: 'hi' },
        socketA,
      );
      expect(sent.ok).toBe(true);
      if (sent.ok) expect((sent.data as { message: { seq: number } }).message.seq).toBe(1);
      const refused = await ctx.engine.dispatcher.handle(a.id, 'private_message', null, socketA);
      expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    });

    test('an unknown event name is VALIDATION_FAILED naming the events there are', async (ctx) => {
      const a = await ctx.user('Ann');
      for (const name of ['private_mesage', '', 42, '__proto__', 'constructor', 'hasOwnProperty']) {
        const answer = await ctx.engine.dispatcher.handle(a.id, name, {}, socketA);
        expect(answer.ok).toBe(false);
        if (!answer.ok) {
          expect(answer.error.code).toBe('VALIDATION_FAILED');
          expect(JSON.stringify(answer.error.details)).toContain('private_message');
        }
      }
    });

    test('a client flushing an outbox of 200 messages is served, and its typing right after', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      await ctx.befriend(a, b);
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          ctx.engine.dispatcher.handle(
            a.id,
            'private_message',
            { receiverId: b.id, content: `m${i}`, clientMsgId: `c${i}` },
            socketA,
          ),
        ),
      );
      expect(answers.filter((answer) => !answer.ok)).toEqual([]);
      const typing = await ctx.engine.dispatcher.handle(
        a.id,
        'typing_status',
        { to: b.id, isTyping: true },
        socketA,
      );
      expect(typing).toEqual({ ok: true, data: {} });
      const page = await ctx.engine.messages.sync(a.id, {
        conversationId: privateConversationId(a.id, b.id),
        afterSeq: 0,
        limit: 100,
      });
      expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    });

    test('the budget is per user: all connections and REST sends share it; refusals carry retryAfterMs', async (ctx) => {
      const engine = ctx.withConfig({ eventRateLimit: { perSecond: 2, burst: 3, burstWindowMs: 60_000 } });
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      const c = await ctx.user('Cat');
      await ctx.befriend(a, b);
      const send = (connection: object, i: number) =>
        engine.dispatcher.handle(a.id, 'private_message', { receiverId: b.id, content: `m${i}` }, connection);
      // Two connections of one user and a REST send: 2 + 3 events in all, then refused.
      const served = [
        await send(socketA, 0),
        await send(socketB, 1),
        await send(socketA, 2),
        await send(socketB, 3),
      ];
      expect(served.every((answer) => answer.ok)).toBe(true);
      await engine.dispatcher.call(
        a.id,
        'private_message',
        { receiverId: b.id, content: 'rest' },
        { ip: '127.0.0.1' },
      );
      const before = ctx.events.length;
      const refused = await send(socketB, 5);
      expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      if (!refused.ok) {
        const retryAfterMs = refused.error.details?.retryAfterMs as number;
        expect(retryAfterMs).toBeGreaterThan(0);
        expect(retryAfterMs).toBeLessThanOrEqual(1000);
      }
      const error = await expectRefusal(
        engine.dispatcher.call(a.id, 'private_message', { receiverId: b.id, content: 'rest' }),
        'RATE_LIMITED',
      );
      expect(error.details?.retryAfterMs).toBeGreaterThan(0);
      // A refused send changed nothing: no event, no sixth message.
      expect(ctx.events.length).toBe(before);
      const history = await ctx.engine.messages.privateHistory(a.id, b.id);
      expect(history.messages).toHaveLength(5);
      // Another user's budget is their own.
      const other = await engine.dispatcher.handle(
        c.id,
        'sync',
        { conversationId: groupConversationId('x'), afterSeq: 0 },
        socketA,
      );
      expect(other.ok ? 'ok' : other.error.code).not.toBe('RATE_LIMITED');
    });

    test('join_group_room joins members only, through the connection, and answers the groupId', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      const { group } = await ctx.engine.groups.create(a.id, { name: 'Room', joinPolicy: 'open' });
      const joined: string[] = [];
      const connection = { connectionId: 'c1', joinGroup: (groupId: string) => void joined.push(groupId) };
      expect(
        await ctx.engine.dispatcher.handle(a.id, 'join_group_room', { groupId: group.id }, connection),
      ).toEqual({
        ok: true,
        data: { groupId: group.id },
      });
      const refused = await ctx.engine.dispatcher.handle(
        b.id,
        'join_group_room',
        { groupId: group.id },
        connection,
      );
      expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_GROUP_MEMBER' } });
      const closed = { ...connection, isOpen: () => false };
      await ctx.engine.dispatcher.handle(a.id, 'join_group_room', { groupId: group.id }, closed);
      expect(joined).toEqual([group.id]);
    });

    test('loose payloads are refused the same way over every wire', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      await ctx.befriend(a, b);
      // clientMsgId: null means "none", as over REST.
      const sent = await ctx.engine.dispatcher.handle(
        a.id,
        'private_message',
        { receiverId: b.id, content: 'hi', clientMsgId: null },
        socketA,
      );
      expect(sent.ok).toBe(true);
      const conversationId = privateConversationId(a.id, b.id);
      for (const payload of [
        { conversationId, afterSeq: '0' },
        { conversationId, afterSeq: true },
        { conversationId, afterSeq: 0, limit: '5' },
        { conversationId, afterSeq: { $gt: 0 } },
        'sync',
        [conversationId, 0],
      ]) {
        const answer = await ctx.engine.dispatcher.handle(a.id, 'sync', payload, socketA);
        expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      }
      for (const seq of [true, '1', [1], 1.5, 0]) {
        await expectRefusal(
          ctx.engine.messages.markRead(b.id, conversationId, { seq } as never),
          'VALIDATION_FAILED',
        );
      }
      const [conversation] = await ctx.engine.conversations.list(b.id);
      expect(conversation?.unreadCount).toBe(1);
    });

    test('a message over the content limit is PAYLOAD_TOO_LARGE, and nothing is stored', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      await ctx.befriend(a, b);
      const answer = await ctx.engine.dispatcher.handle(
        a.id,
        'private_message',
        { receiverId: b.id, content: 'x'.repeat(5001) },
        socketA,
      );
      expect(answer).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
      expect((await ctx.engine.messages.privateHistory(a.id, b.id)).messages).toEqual([]);
    });

    test('text is stored NFC-normalized; invalid Unicode is refused', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      await ctx.befriend(a, b);
      const decomposed = 'Cafe\u0301';
      const { message } = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: decomposed,
      });
      expect(message.content).toBe('Caf\u00e9');
      const stored = ctx.probes ? await ctx.probes.message(message.id) : null;
      if (stored) expect(stored.content).toBe('Caf\u00e9');
      await expectRefusal(
        ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'broken \ud800 text' }),
        'VALIDATION_FAILED',
      );
      expect((await ctx.engine.messages.privateHistory(a.id, b.id)).messages).toHaveLength(1);
    });

    test('names refuse control characters, lone surrogates and invisible-only text', async (ctx) => {
      const a = await ctx.user('Ann');
      const bad = [
        'nul\u0000name',
        'esc\u001b[31mred',
        'tab\tname',
        'del\u007f',
        'c1\u009bx',
        'half \ud83d',
        '\u200b\u200b',
        '\u200d',
        '\u3164',
        '\u2800',
        '\ufeff',
        '\u0301',
        '   ',
      ];
      for (const nickname of bad) {
        await expectRefusal(ctx.engine.users.updateMe(a.id, { nickname }), 'VALIDATION_FAILED');
        await expectRefusal(ctx.engine.groups.create(a.id, { name: nickname }), 'VALIDATION_FAILED');
      }
      expect((await ctx.engine.users.getMe(a.id)).nickname).toBe('Ann');
      expect(await ctx.engine.groups.listMine(a.id)).toEqual([]);
      // Real names in every script pass, NFC-normalized; an emoji with joiners is one visible name.
      const user = await ctx.engine.users.updateMe(a.id, { nickname: ' Zoe\u0308 ' });
      expect(user.nickname).toBe('Zo\u00eb');
      for (const nickname of ['王小明', 'محمد', '👩\u200d💻', 'Ｔｅｓｔ']) {
        expect((await ctx.engine.users.updateMe(a.id, { nickname })).nickname).toBe(nickname);
      }
      const { group } = await ctx.engine.groups.create(a.id, { name: 'Cafe\u0301 crew' });
      expect(group.name).toBe('Caf\u00e9 crew');
    });

    test('resuming: conversations carry lastSeq, and sync after what a client holds fills every gap', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      await ctx.befriend(a, b);
      const { group } = await ctx.engine.groups.create(a.id, { name: 'Crew', memberIds: [b.id] });
      const held = new Map((await ctx.engine.conversations.list(b.id)).map((c) => [c.id, c.lastSeq]));
      // Ben is away while both conversations move on.
      for (let i = 0; i < 3; i++) {
        await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: `p${i}` });
        await ctx.engine.messages.sendGroup(a.id, { groupId: group.id, content: `g${i}` });
      }
      const listed = await ctx.engine.conversations.list(b.id);
      const missed: string[] = [];
      for (const conversation of listed) {
        const since = held.get(conversation.id) ?? 0;
        if (conversation.lastSeq <= since) continue;
        const page = await ctx.engine.messages.sync(b.id, {
          conversationId: conversation.id,
          afterSeq: since,
        });
        expect(page.messages.at(-1)?.seq).toBe(conversation.lastSeq);
        missed.push(...page.messages.map((m) => m.content));
      }
      expect(missed.filter((text) => text.startsWith('p'))).toEqual(['p0', 'p1', 'p2']);
      expect(missed.filter((text) => /^g\d$/.test(text))).toEqual(['g0', 'g1', 'g2']);
      const privateItem = listed.find((c) => c.id === privateConversationId(a.id, b.id));
      expect(privateItem?.lastSeq).toBe(3);
    });

    test('a list cursor the store did not issue is VALIDATION_FAILED, not an empty page', async (ctx) => {
      const a = await ctx.user('Ann');
      const b = await ctx.user('Ben');
      await ctx.befriend(a, b);
      const { group } = await ctx.engine.groups.create(a.id, { name: 'Crew', memberIds: [b.id] });
      const { message } = await ctx.engine.messages.sendGroup(a.id, { groupId: group.id, content: 'hi' });
      const forged = Buffer.from('{"nope":1}').toString('base64url');
      for (const cursor of ['garbage!', forged, 'e30', Buffer.from('[1,2]').toString('base64url')]) {
        await expectRefusal(ctx.engine.groups.listMembers(a.id, group.id, { cursor }), 'VALIDATION_FAILED');
        await expectRefusal(ctx.engine.messages.readers(a.id, message.id, { cursor }), 'VALIDATION_FAILED');
        await expectRefusal(ctx.engine.groups.listMinePage(a.id, { cursor }), 'VALIDATION_FAILED');
      }
      const first = await ctx.engine.groups.listMembers(a.id, group.id, { limit: 1 });
      expect(first.hasMore).toBe(true);
      const second = await ctx.engine.groups.listMembers(a.id, group.id, { cursor: first.nextCursor ?? '' });
      expect(second.items).toHaveLength(1);
    });
  });
}
