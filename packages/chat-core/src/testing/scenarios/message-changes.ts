/**
 * Edits, reactions, pins, threads, search and the sync of changes, through the engine: each rule
 * of the contract, each refusal with its code and nothing changed, and a client away while a
 * message is recalled, edited, reacted to and pinned seeing all of it when it syncs.
 */
import { expect } from 'vitest';
import { groupConversationId, privateConversationId } from '../../messaging/conversation-ids.js';
import type { ScenarioContext, TestUser } from '../fixtures.js';
import type { ConformanceOptions } from '../harness.js';
import { groupOf } from './group-helpers.js';
import { expectRefusal } from './refusals.js';
import { defineScenarios } from './scenario-area.js';

const MINUTE = 60_000;

async function pair(ctx: ScenarioContext): Promise<[TestUser, TestUser, string]> {
  const a = await ctx.user('Ann');
  const b = await ctx.user('Ben');
  await ctx.befriend(a, b);
  return [a, b, privateConversationId(a.id, b.id)];
}

/** Everything a refusal must leave as it was: the message as each party sees it, and the events. */
async function unchanged(
  ctx: ScenarioContext,
  viewer: TestUser,
  messageId: string,
  run: () => Promise<unknown>,
) {
  const read = async () =>
    (
      await ctx.engine.messages.sync(viewer.id, {
        conversationId: (await ctx.store.messages.getMessage(messageId))?.conversationId ?? '',
        afterSeq: 0,
      })
    ).messages.find((m) => m.id === messageId);
  const before = await read();
  const events = ctx.events.length;
  await run();
  expect(await read()).toEqual(before);
  expect(ctx.events.length).toBe(events);
}

export function messageChangesScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.messageChanges', options, (test) => {
    test('the sender edits a text message: both sides hear message_edited, history shows editedAt', async (ctx) => {
      const [a, b, conversationId] = await pair(ctx);
      const { message } = await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'helo' });
      ctx.clock.advance(MINUTE);
      const { message: edited } = await ctx.engine.messages.edit(a.id, message.id, { content: 'hello' });
      expect(edited).toMatchObject({
        id: message.id,
        content: 'hello',
        editedAt: ctx.clock.now().toISOString(),
        version: 1,
      });
      const [event] = ctx.eventsNamed('message_edited');
      expect(event?.payload).toEqual({
        messageId: message.id,
        conversationId,
        content: 'hello',
        editedAt: ctx.clock.now().toISOString(),
        version: 1,
      });
      expect(event?.audience.users).toEqual(expect.arrayContaining([a.id, b.id]));
      const history = await ctx.engine.messages.privateHistory(b.id, a.id);
      expect(history.messages[0]).toMatchObject({ content: 'hello', editedAt: edited.editedAt });
      // The same content again changes nothing.
      const events = ctx.events.length;
      expect((await ctx.engine.messages.edit(a.id, message.id, { content: 'hello' })).message.version).toBe(
        1,
      );
      expect(ctx.events.length).toBe(events);
    });

    test('edits are refused to others, for media, system and recalled messages, and after the window', async (ctx) => {
      const [a, b] = await pair(ctx);
      const { message } = await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'mine' });
      const stranger = await ctx.user('Stan');
      await unchanged(ctx, a, message.id, async () => {
        await expectRefusal(ctx.engine.messages.edit(b.id, message.id, { content: 'yours?' }), 'FORBIDDEN');
        await expectRefusal(ctx.engine.messages.edit(stranger.id, message.id, { content: 'x' }), 'NOT_FOUND');
        await expectRefusal(ctx.engine.messages.edit(a.id, message.id, { content: '' }), 'VALIDATION_FAILED');
        await expectRefusal(
          ctx.engine.messages.edit(a.id, message.id, { content: 'x'.repeat(5001) }),
          'PAYLOAD_TOO_LARGE',
        );
        await expectRefusal(
          ctx.engine.messages.edit(a.id, message.id, { content: 42 } as never),
          'VALIDATION_FAILED',
        );
        await expectRefusal(ctx.engine.messages.edit(a.id, '', { content: 'x' }), 'VALIDATION_FAILED');
        await expectRefusal(ctx.engine.messages.edit(a.id, '0'.repeat(24), { content: 'x' }), 'NOT_FOUND');
      });
      const { message: image } = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'https://example.com/cat.png',
        contentType: 'image',
      });
      await unchanged(ctx, a, image.id, () =>
        expectRefusal(
          ctx.engine.messages.edit(a.id, image.id, { content: 'https://example.com/dog.png' }),
          'FORBIDDEN',
        ),
      );
      ctx.clock.advance(24 * 60 * MINUTE + 1000);
      await unchanged(ctx, a, message.id, () =>
        expectRefusal(ctx.engine.messages.edit(a.id, message.id, { content: 'late' }), 'FORBIDDEN'),
      );
      // EDIT_WINDOW_SECONDS=0 sets no limit.
      const unlimited = ctx.withConfig({ editWindowSeconds: 0 });
      expect(
        (await unlimited.messages.edit(a.id, message.id, { content: 'late but fine' })).message.content,
      ).toBe('late but fine');
      const { message: fresh } = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'oops',
      });
      await ctx.engine.messages.recall(a.id, fresh.id);
      await unchanged(ctx, a, fresh.id, () =>
        expectRefusal(ctx.engine.messages.edit(a.id, fresh.id, { content: 'back' }), 'FORBIDDEN'),
      );
      // Across a block, nothing is edited.
      const { message: last } = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'before',
      });
      await ctx.engine.blacklist.add(b.id, { userId: a.id });
      await expectRefusal(ctx.engine.messages.edit(a.id, last.id, { content: 'blocked' }), 'BLOCKED');
      await expectRefusal(ctx.engine.messages.react(a.id, { messageId: last.id, emoji: '👍' }), 'BLOCKED');
    });

    test('reactions: one per user per emoji, counted with me, added and removed, heard by every party', async (ctx) => {
      const [a, b, conversationId] = await pair(ctx);
      const { message } = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'party?',
      });
      const r1 = await ctx.engine.messages.react(b.id, { messageId: message.id, emoji: '🎉' });
      expect(r1.message.reactions).toEqual([{ emoji: '🎉', count: 1, me: true }]);
      expect(r1.message.version).toBe(1);
      await ctx.engine.messages.react(a.id, { messageId: message.id, emoji: '🎉', add: true });
      const again = await ctx.engine.messages.react(b.id, { messageId: message.id, emoji: '🎉' });
      expect(again.message.reactions).toEqual([{ emoji: '🎉', count: 2, me: true }]);
      expect(ctx.eventsNamed('message_reaction').map((e) => e.payload)).toEqual([
        { messageId: message.id, conversationId, userId: b.id, emoji: '🎉', add: true, version: 1 },
        { messageId: message.id, conversationId, userId: a.id, emoji: '🎉', add: true, version: 2 },
      ]);
      const flag = await ctx.engine.messages.react(a.id, { messageId: message.id, emoji: '🇫🇷' });
      expect(flag.message.reactions).toEqual([
        { emoji: '🎉', count: 2, me: true },
        { emoji: '🇫🇷', count: 1, me: true },
      ]);
      const removed = await ctx.engine.messages.react(a.id, {
        messageId: message.id,
        emoji: '🎉',
        add: false,
      });
      expect(removed.message.reactions).toEqual([
        { emoji: '🎉', count: 1, me: false },
        { emoji: '🇫🇷', count: 1, me: true },
      ]);
      const history = await ctx.engine.messages.privateHistory(b.id, a.id);
      expect(history.messages[0]?.reactions).toEqual([
        { emoji: '🎉', count: 1, me: true },
        { emoji: '🇫🇷', count: 1, me: false },
      ]);
    });

    test('reactions refuse what is not one emoji, strangers, recalled and system messages', async (ctx) => {
      const [a, b] = await pair(ctx);
      const { message } = await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'hi' });
      const stranger = await ctx.user('Stan');
      await unchanged(ctx, a, message.id, async () => {
        for (const emoji of ['', 'a', '👍👍', ':)', 'x'.repeat(20), '👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 7, null]) {
          await expectRefusal(
            ctx.engine.messages.react(b.id, { messageId: message.id, emoji } as never),
            'VALIDATION_FAILED',
          );
        }
        await expectRefusal(
          ctx.engine.messages.react(b.id, { messageId: message.id, emoji: '👍', add: 'yes' } as never),
          'VALIDATION_FAILED',
        );
        await expectRefusal(
          ctx.engine.messages.react(stranger.id, { messageId: message.id, emoji: '👍' }),
          'NOT_FOUND',
        );
      });
      // A modified emoji is one emoji (two code points, 8 bytes).
      const toned = await ctx.engine.messages.react(b.id, { messageId: message.id, emoji: '👍🏽' });
      expect(toned.message.reactions?.[0]?.emoji).toBe('👍🏽');
      await ctx.engine.messages.recall(a.id, message.id);
      await expectRefusal(
        ctx.engine.messages.react(b.id, { messageId: message.id, emoji: '👍' }),
        'FORBIDDEN',
      );
      const g = await groupOf(ctx, a, [b]);
      const [system] = (await ctx.engine.messages.groupHistory(a.id, g.id)).messages;
      if (system?.contentType === 'system') {
        await expectRefusal(
          ctx.engine.messages.react(b.id, { messageId: system.id, emoji: '👍' }),
          'FORBIDDEN',
        );
      }
    });

    test('pins: either side of a pair, owner and admins of a group, at most 50, listed newest first', async (ctx) => {
      const [a, b, conversationId] = await pair(ctx);
      const sent = [];
      for (let i = 0; i < 3; i++)
        sent.push(
          (await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: `p${i}` })).message,
        );
      await ctx.engine.messages.pin(b.id, conversationId, { messageId: sent[0]!.id });
      ctx.clock.advance(1000);
      const { message } = await ctx.engine.messages.pin(a.id, conversationId, { messageId: sent[2]!.id });
      expect(message).toMatchObject({ pinned: true, version: 2 });
      expect(ctx.eventsNamed('message_pinned').map((e) => e.payload)).toEqual([
        { conversationId, messageId: sent[0]!.id, by: b.id, version: 1 },
        { conversationId, messageId: sent[2]!.id, by: a.id, version: 2 },
      ]);
      // Pinning again changes nothing.
      await ctx.engine.messages.pin(a.id, conversationId, { messageId: sent[2]!.id });
      expect(ctx.eventsNamed('message_pinned')).toHaveLength(2);
      expect((await ctx.engine.messages.pins(b.id, conversationId)).messages.map((m) => m.content)).toEqual([
        'p2',
        'p0',
      ]);
      await ctx.engine.messages.unpin(b.id, conversationId, sent[2]!.id);
      expect(ctx.eventsNamed('message_unpinned').map((e) => e.payload)).toEqual([
        { conversationId, messageId: sent[2]!.id, by: b.id, version: 3 },
      ]);
      await ctx.engine.messages.unpin(b.id, conversationId, sent[2]!.id);
      expect(ctx.eventsNamed('message_unpinned')).toHaveLength(1);
      expect((await ctx.engine.messages.pins(a.id, conversationId)).messages.map((m) => m.content)).toEqual([
        'p0',
      ]);

      const c = await ctx.user('Cat');
      const g = await groupOf(ctx, a, [b, c]);
      const gid = groupConversationId(g.id);
      const { message: gm } = await ctx.engine.messages.sendGroup(c.id, { groupId: g.id, content: 'pin me' });
      const stranger = await ctx.user('Stan');
      await unchanged(ctx, a, gm.id, async () => {
        await expectRefusal(ctx.engine.messages.pin(c.id, gid, { messageId: gm.id }), 'FORBIDDEN');
        await expectRefusal(
          ctx.engine.messages.pin(stranger.id, gid, { messageId: gm.id }),
          'NOT_GROUP_MEMBER',
        );
        await expectRefusal(ctx.engine.messages.pin(a.id, conversationId, { messageId: gm.id }), 'NOT_FOUND');
        await expectRefusal(ctx.engine.messages.pin(a.id, gid, { messageId: '' }), 'VALIDATION_FAILED');
        await expectRefusal(ctx.engine.messages.pin(a.id, 'nonsense', { messageId: gm.id }), 'NOT_FOUND');
      });
      await ctx.engine.groups.setAdmin(a.id, g.id, b.id, true);
      expect((await ctx.engine.messages.pin(b.id, gid, { messageId: gm.id })).message.pinned).toBe(true);
      await expectRefusal(ctx.engine.messages.unpin(c.id, gid, gm.id), 'FORBIDDEN');

      // The limit.
      for (let i = 0; i < 49; i++) {
        const { message: m } = await ctx.engine.messages.sendGroup(a.id, { groupId: g.id, content: `n${i}` });
        await ctx.engine.messages.pin(a.id, gid, { messageId: m.id });
      }
      const { message: over } = await ctx.engine.messages.sendGroup(a.id, {
        groupId: g.id,
        content: 'one too many',
      });
      await unchanged(ctx, a, over.id, () =>
        expectRefusal(ctx.engine.messages.pin(a.id, gid, { messageId: over.id }), 'FORBIDDEN'),
      );
      expect((await ctx.engine.messages.pins(c.id, gid)).messages).toHaveLength(50);
    });

    test('threads: replies count on their parent and are listed ascending, page by page', async (ctx) => {
      const [a, b] = await pair(ctx);
      const { message: root } = await ctx.engine.messages.sendPrivate(a.id, {
        receiverId: b.id,
        content: 'root',
      });
      for (let i = 0; i < 3; i++) {
        await ctx.engine.messages.sendPrivate(i % 2 === 0 ? b.id : a.id, {
          receiverId: i % 2 === 0 ? a.id : b.id,
          content: `reply ${i}`,
          replyTo: root.id,
        });
      }
      const first = await ctx.engine.messages.thread(a.id, root.id, { limit: 2 });
      expect(first.messages.map((m) => m.content)).toEqual(['reply 0', 'reply 1']);
      expect(first.hasMore).toBe(true);
      const rest = await ctx.engine.messages.thread(a.id, root.id, { cursor: first.nextCursor ?? '' });
      expect(rest.messages.map((m) => m.content)).toEqual(['reply 2']);
      const [listed] = (await ctx.engine.messages.privateHistory(b.id, a.id, { limit: 1, beforeSeq: 2 }))
        .messages;
      expect(listed).toMatchObject({ id: root.id, replyCount: 3 });
      const stranger = await ctx.user('Stan');
      await expectRefusal(ctx.engine.messages.thread(stranger.id, root.id), 'NOT_FOUND');
      await expectRefusal(ctx.engine.messages.thread(a.id, root.id, { limit: 0 }), 'VALIDATION_FAILED');
      await expectRefusal(
        ctx.engine.messages.thread(a.id, root.id, { cursor: 'junk!' }),
        'VALIDATION_FAILED',
      );
    });

    test('search finds Chinese, Japanese, Korean and spaced words, only in what the caller may read', async (ctx) => {
      const [a, b] = await pair(ctx);
      const c = await ctx.user('Cat');
      await ctx.befriend(b, c);
      const g = await groupOf(ctx, a, [b]);
      const say = async (from: TestUser, to: TestUser, content: string) => {
        ctx.clock.advance(1000);
        return (await ctx.engine.messages.sendPrivate(from.id, { receiverId: to.id, content })).message;
      };
      const zh = await say(a, b, '大家你好啊');
      const ja = await say(b, a, '東京で会いましょう');
      const ko = await say(a, b, '안녕하세요 여러분');
      const en = await say(b, a, 'Hello, World! Café at noon?');
      ctx.clock.advance(1000);
      const { message: groupHello } = await ctx.engine.messages.sendGroup(b.id, {
        groupId: g.id,
        content: 'hello group 你好',
      });
      await say(b, c, 'hello Cat, 你好 (a secret)');
      const ids = async (user: TestUser, q: string, conversationId?: string) =>
        (
          await ctx.engine.messages.search(user.id, { q, ...(conversationId && { conversationId }) })
        ).messages.map((m) => m.id);
      expect(await ids(a, '你好')).toEqual([groupHello.id, zh.id]);
      expect(await ids(a, '东京')).toEqual([]);
      expect(await ids(a, '東京')).toEqual([ja.id]);
      expect(await ids(a, '여러분')).toEqual([ko.id]);
      expect(await ids(a, 'hello')).toEqual([groupHello.id, en.id]);
      expect(await ids(a, 'HELLO world')).toEqual([en.id]);
      expect(await ids(a, 'cafe\u0301')).toEqual([en.id]);
      expect(await ids(a, 'hello', groupConversationId(g.id))).toEqual([groupHello.id]);
      // Cat's conversation with Ben is not Ann's to search; Ben sees it.
      expect(await ids(b, 'secret')).toHaveLength(1);
      expect(await ids(a, 'secret')).toEqual([]);
      await expectRefusal(
        ctx.engine.messages.search(a.id, { q: 'hello', conversationId: privateConversationId(b.id, c.id) }),
        'NOT_FOUND',
      );
      // Deleted for me, recalled: gone from search.
      await ctx.engine.messages.deleteForMe(a.id, zh.id);
      await ctx.engine.messages.recall(b.id, en.id);
      expect(await ids(a, '你好')).toEqual([groupHello.id]);
      expect(await ids(a, 'hello')).toEqual([groupHello.id]);
      expect(await ids(b, '你好')).toContain(zh.id);
      // Leaving the group takes its messages out of reach.
      await ctx.engine.groups.leave(b.id, g.id);
      expect(await ids(b, 'group')).toEqual([]);
      // Bad input.
      for (const q of ['', '   ', '!!!', 'x'.repeat(201)]) {
        await expectRefusal(ctx.engine.messages.search(a.id, { q }), 'VALIDATION_FAILED');
      }
      await expectRefusal(ctx.engine.messages.search(a.id, { q: 'hello', limit: 101 }), 'VALIDATION_FAILED');
      await expectRefusal(
        ctx.engine.messages.search(a.id, { q: 'hello', cursor: 'junk!' }),
        'VALIDATION_FAILED',
      );
    });

    test('search pages newest first and respects the roaming window', async (ctx) => {
      const [a, b] = await pair(ctx);
      for (let i = 0; i < 5; i++) {
        ctx.clock.advance(24 * 60 * MINUTE);
        await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: `news ${i}` });
      }
      const first = await ctx.engine.messages.search(b.id, { q: 'news', limit: 2 });
      expect(first.messages.map((m) => m.content)).toEqual(['news 4', 'news 3']);
      const second = await ctx.engine.messages.search(b.id, {
        q: 'news',
        limit: 2,
        cursor: first.nextCursor ?? '',
      });
      expect(second.messages.map((m) => m.content)).toEqual(['news 2', 'news 1']);
      const roaming = ctx.withConfig({ messageRoamingDays: 1 });
      expect((await roaming.messages.search(b.id, { q: 'news' })).messages.map((m) => m.content)).toEqual([
        'news 4',
        'news 3',
      ]);
    });

    test('a client away while a message is recalled, edited, reacted to and pinned sees it all on sync', async (ctx) => {
      const [a, b, conversationId] = await pair(ctx);
      const sent = [];
      for (let i = 0; i < 5; i++)
        sent.push(
          (await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: `m${i}` })).message,
        );
      // Ben syncs, then goes away.
      const before = await ctx.engine.messages.sync(b.id, { conversationId, afterSeq: 0, afterVersion: 0 });
      expect(before).toMatchObject({ changed: [], version: 0, hasMore: false });
      expect(before.messages).toHaveLength(5);
      const held = { seq: 5, version: before.version };
      await ctx.engine.messages.recall(a.id, sent[0]!.id);
      await ctx.engine.messages.edit(a.id, sent[1]!.id, { content: 'm1 (edited)' });
      await ctx.engine.messages.react(a.id, { messageId: sent[2]!.id, emoji: '👍' });
      await ctx.engine.messages.pin(a.id, conversationId, { messageId: sent[3]!.id });
      await ctx.engine.messages.sendPrivate(a.id, { receiverId: b.id, content: 'm5' });
      // Ben is back.
      const after = await ctx.engine.messages.sync(b.id, {
        conversationId,
        afterSeq: held.seq,
        afterVersion: held.version,
      });
      expect(after.messages.map((m) => m.content)).toEqual(['m5']);
      expect(after.changed.map((m) => m.id)).toEqual(sent.slice(0, 4).map((m) => m.id));
      expect(after.changed[0]).toMatchObject({ recalled: true, content: '' });
      expect(after.changed[1]).toMatchObject({ content: 'm1 (edited)', editedAt: expect.any(String) });
      expect(after.changed[2]?.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
      expect(after.changed[3]?.pinned).toBe(true);
      expect(after.version).toBe(4);
      // Nothing more since.
      const quiet = await ctx.engine.messages.sync(b.id, {
        conversationId,
        afterSeq: 6,
        afterVersion: after.version,
      });
      expect(quiet).toEqual({ messages: [], changed: [], hasMore: false, version: 4 });
      // A small limit pages through the changes without skipping one.
      const paged = [];
      let version = 0;
      for (let round = 0; round < 10; round++) {
        const page = await ctx.engine.messages.sync(b.id, {
          conversationId,
          afterSeq: 6,
          afterVersion: version,
          limit: 1,
        });
        paged.push(...page.changed.map((m) => m.id));
        version = page.version;
        if (!page.hasMore) break;
      }
      expect(paged).toEqual(sent.slice(0, 4).map((m) => m.id));
      for (const bad of [{ afterVersion: -1 }, { afterVersion: '1' }, { afterVersion: 1.5 }]) {
        await expectRefusal(
          ctx.engine.messages.sync(b.id, { conversationId, afterSeq: 0, ...bad } as never),
          'VALIDATION_FAILED',
        );
      }
    });
  });
}
