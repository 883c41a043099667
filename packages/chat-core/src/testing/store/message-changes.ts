/**
 * Store-level conformance of message changes: edits, reactions, pins and recalls stamp versions
 * from the conversation's change counter; replies count; changed messages, threads and searches
 * are read back as the port says.
 */
import { expect } from 'vitest';
import { type MessageRecord, TOKENS_FROM_CONTENT } from '../../domain/records.js';
import { indexTokens, queryTokens } from '../../messaging/search-tokens.js';
import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';
import { appendMany, at, draft, groupConversation, privateConversation, stored } from './messages.js';

const seqs = (items: readonly MessageRecord[]) => items.map((m) => m.seq);

export function messageChangesStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.messageChanges',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (test) => {
      test('a new message starts at version 0, replyCount 0, unpinned, not edited', async (ctx) => {
        const { conversation, a } = privateConversation();
        await ctx.store.messages.ensureConversation(conversation);
        const [message] = await appendMany(ctx.store.messages, conversation, a, 1);
        expect(message).toMatchObject({
          version: 0,
          replyCount: 0,
          pinnedAt: null,
          pinnedBy: null,
          editedAt: null,
        });
        expect((await ctx.store.messages.getConversation(conversation.id))?.lastVersion).toBe(0);
      });

      test('every change stamps the next version of its conversation, atomically and in order', async (ctx) => {
        const { conversation, a, b } = privateConversation();
        const other = privateConversation();
        await ctx.store.messages.ensureConversation(conversation);
        await ctx.store.messages.ensureConversation(other.conversation);
        const [m1, m2, m3] = await appendMany(ctx.store.messages, conversation, a, 3);
        const [o1] = await appendMany(ctx.store.messages, other.conversation, other.a, 1);
        const edited = await ctx.store.messages.editMessage(m1!.id, {
          content: 'edited',
          editedAt: at(100),
          searchTokens: indexTokens('edited'),
        });
        expect(edited).toMatchObject({ content: 'edited', version: 1 });
        expect(edited?.editedAt).toEqual(at(100));
        const reacted = await ctx.store.messages.addReaction({
          messageId: m2!.id,
          userId: b,
          emoji: '👍',
          createdAt: at(101),
        });
        expect(reacted).toMatchObject({ added: true, message: { version: 2 } });
        const pinned = await ctx.store.messages.pinMessage(m3!.id, b, at(102), 50);
        expect(pinned).toMatchObject({ outcome: 'pinned', message: { version: 3, pinnedBy: b } });
        const recalled = await ctx.store.messages.recallMessage(m1!.id, a, at(103));
        expect(recalled?.version).toBe(4);
        // Another conversation counts on its own.
        const otherEdit = await ctx.store.messages.editMessage(o1!.id, {
          content: 'x',
          editedAt: at(104),
          searchTokens: [],
        });
        expect(otherEdit?.version).toBe(1);
        expect((await ctx.store.messages.getConversation(conversation.id))?.lastVersion).toBe(4);
        const raw = await stored(ctx, m1!.id);
        expect(raw?.version).toBe(4);

        // Concurrent changes get distinct versions with no gap.
        const many = await Promise.all(
          ['😀', '🎉', '❤️', '🔥', '👀', '✅'].map((emoji, i) =>
            ctx.store.messages.addReaction({ messageId: m2!.id, userId: a, emoji, createdAt: at(110 + i) }),
          ),
        );
        const versions = many.map((r) => r.message?.version ?? 0).sort((x, y) => x - y);
        expect(versions).toEqual([5, 6, 7, 8, 9, 10]);
      });

      test('repeats and misses change nothing and stamp no version', async (ctx) => {
        const { conversation, a, b } = privateConversation();
        await ctx.store.messages.ensureConversation(conversation);
        const [m1] = await appendMany(ctx.store.messages, conversation, a, 1);
        const id = m1!.id;
        await ctx.store.messages.addReaction({ messageId: id, userId: b, emoji: '👍', createdAt: at(1) });
        expect(
          await ctx.store.messages.addReaction({ messageId: id, userId: b, emoji: '👍', createdAt: at(2) }),
        ).toMatchObject({ added: false, message: { version: 1 } });
        expect(await ctx.store.messages.removeReaction(id, a, '👍')).toMatchObject({ removed: false });
        await ctx.store.messages.pinMessage(id, a, at(3), 50);
        expect(await ctx.store.messages.pinMessage(id, b, at(4), 50)).toMatchObject({
          outcome: 'already',
          message: { pinnedBy: a, version: 2 },
        });
        expect(await ctx.store.messages.unpinMessage(id)).toMatchObject({
          unpinned: true,
          message: { version: 3 },
        });
        expect(await ctx.store.messages.unpinMessage(id)).toMatchObject({
          unpinned: false,
          message: { version: 3 },
        });
        const ghost = '0'.repeat(24);
        expect(
          await ctx.store.messages.editMessage(ghost, { content: 'x', editedAt: at(5), searchTokens: [] }),
        ).toBeNull();
        expect(
          await ctx.store.messages.addReaction({
            messageId: ghost,
            userId: a,
            emoji: '👍',
            createdAt: at(5),
          }),
        ).toEqual({
          message: null,
          added: false,
        });
        expect(await ctx.store.messages.pinMessage(ghost, a, at(5), 50)).toBeNull();
        expect(await ctx.store.messages.unpinMessage(ghost)).toBeNull();
        // A recalled message is never edited again, and a second recall stamps nothing.
        await ctx.store.messages.recallMessage(id, a, at(6));
        expect(
          await ctx.store.messages.editMessage(id, { content: 'back', editedAt: at(7), searchTokens: [] }),
        ).toBeNull();
        expect((await ctx.store.messages.recallMessage(id, b, at(8)))?.version).toBe(4);
        expect((await ctx.store.messages.getConversation(conversation.id))?.lastVersion).toBe(4);
      });

      test('reactions are summarized per message and emoji in first-reaction order, with mine', async (ctx) => {
        const { conversation, a, b } = privateConversation();
        await ctx.store.messages.ensureConversation(conversation);
        const [m1, m2, m3] = await appendMany(ctx.store.messages, conversation, a, 3);
        const add = (messageId: string, userId: string, emoji: string, t: number) =>
          ctx.store.messages.addReaction({ messageId, userId, emoji, createdAt: at(t) });
        await add(m1!.id, a, '👍', 1);
        await add(m1!.id, b, '🎉', 2);
        await add(m1!.id, b, '👍', 3);
        await add(m2!.id, b, '❤️', 4);
        const summary = await ctx.store.messages.summarizeReactions([m1!.id, m2!.id, m3!.id], a);
        expect(summary.get(m1!.id)).toEqual([
          { emoji: '👍', count: 2, mine: true },
          { emoji: '🎉', count: 1, mine: false },
        ]);
        expect(summary.get(m2!.id)).toEqual([{ emoji: '❤️', count: 1, mine: false }]);
        expect(summary.has(m3!.id)).toBe(false);
        await ctx.store.messages.removeReaction(m1!.id, b, '🎉');
        expect((await ctx.store.messages.summarizeReactions([m1!.id], b)).get(m1!.id)).toEqual([
          { emoji: '👍', count: 2, mine: true },
        ]);
        expect((await ctx.store.messages.summarizeReactions([], a)).size).toBe(0);
      });

      test('pins are limited per conversation, listed most recent first', async (ctx) => {
        const { conversation, a } = privateConversation();
        await ctx.store.messages.ensureConversation(conversation);
        const list = await appendMany(ctx.store.messages, conversation, a, 4);
        for (const [i, m] of list.slice(0, 3).entries()) {
          expect((await ctx.store.messages.pinMessage(m.id, a, at(10 + i), 3))?.outcome).toBe('pinned');
        }
        const full = await ctx.store.messages.pinMessage(list[3]!.id, a, at(20), 3);
        expect(full).toMatchObject({ outcome: 'full', message: { pinnedAt: null, version: 0 } });
        expect(seqs(await ctx.store.messages.listPinned(conversation.id))).toEqual([3, 2, 1]);
        // Concurrent pins never pass the limit.
        await ctx.store.messages.unpinMessage(list[0]!.id);
        await ctx.store.messages.unpinMessage(list[1]!.id);
        const raced = await Promise.all(
          list.map((m, i) => ctx.store.messages.pinMessage(m.id, a, at(30 + i), 3)),
        );
        expect(raced.filter((r) => r?.outcome === 'pinned')).toHaveLength(2);
        expect(await ctx.store.messages.listPinned(conversation.id)).toHaveLength(3);
        expect(await ctx.store.messages.listPinned(groupConversation().id)).toEqual([]);
      });

      test('listChanged answers messages changed after a version, up to a seq, ascending by version', async (ctx) => {
        const { conversation, a, b } = privateConversation();
        await ctx.store.messages.ensureConversation(conversation);
        const list = await appendMany(ctx.store.messages, conversation, a, 6);
        await ctx.store.messages.editMessage(list[4]!.id, {
          content: 'e5',
          editedAt: at(100),
          searchTokens: [],
        }); // v1
        await ctx.store.messages.addReaction({
          messageId: list[0]!.id,
          userId: b,
          emoji: '👍',
          createdAt: at(101),
        }); // v2
        await ctx.store.messages.recallMessage(list[2]!.id, a, at(102)); // v3
        await ctx.store.messages.editMessage(list[5]!.id, {
          content: 'e6',
          editedAt: at(103),
          searchTokens: [],
        }); // v4
        await ctx.store.messages.editMessage(list[4]!.id, {
          content: 'e5b',
          editedAt: at(104),
          searchTokens: [],
        }); // v5
        const all = await ctx.store.messages.listChanged(conversation.id, {
          afterVersion: 0,
          maxSeq: 100,
          limit: 10,
        });
        expect(all.items.map((m) => [m.seq, m.version])).toEqual([
          [1, 2],
          [3, 3],
          [6, 4],
          [5, 5],
        ]);
        expect(all.hasMore).toBe(false);
        const since = await ctx.store.messages.listChanged(conversation.id, {
          afterVersion: 2,
          maxSeq: 5,
          limit: 1,
        });
        expect(since.items.map((m) => m.seq)).toEqual([3]);
        expect(since.hasMore).toBe(true);
        await ctx.store.messages.hideMessage(b, list[0]!.id);
        const forB = await ctx.store.messages.listChanged(conversation.id, {
          afterVersion: 0,
          maxSeq: 100,
          limit: 10,
          viewerId: b,
        });
        expect(forB.items.map((m) => m.seq)).toEqual([3, 6, 5]);
        const notBefore = await ctx.store.messages.listChanged(conversation.id, {
          afterVersion: 0,
          maxSeq: 100,
          limit: 10,
          notBefore: at(3),
        });
        expect(notBefore.items.map((m) => m.seq)).toEqual([6, 5]);
      });

      test('replies raise their parent replyCount and are listed ascending by seq, page by page', async (ctx) => {
        const { conversation, a, b } = privateConversation();
        await ctx.store.messages.ensureConversation(conversation);
        const [root, other] = await appendMany(ctx.store.messages, conversation, a, 2);
        const replies: MessageRecord[] = [];
        for (let i = 0; i < 5; i++) {
          const { message } = await ctx.store.messages.appendMessage(
            draft(conversation, i % 2 === 0 ? b : a, {
              replyTo: root!.id,
              content: `r${i}`,
              createdAt: at(10 + i),
            }),
          );
          replies.push(message);
        }
        // A repeated clientMsgId creates nothing and counts nothing.
        const withId = draft(conversation, b, { replyTo: root!.id, clientMsgId: 'c-1', createdAt: at(20) });
        await ctx.store.messages.appendMessage(withId);
        await ctx.store.messages.appendMessage({ ...withId, id: 'x'.repeat(24) });
        expect((await ctx.store.messages.getMessage(root!.id))?.replyCount).toBe(6);
        expect((await stored(ctx, root!.id))?.replyCount).toBe(6);
        expect((await ctx.store.messages.getMessage(other!.id))?.replyCount).toBe(0);
        const first = await ctx.store.messages.listReplies(root!.id, { limit: 4 });
        expect(first.items.map((m) => m.content)).toEqual(['r0', 'r1', 'r2', 'r3']);
        expect(first.hasMore).toBe(true);
        const second = await ctx.store.messages.listReplies(root!.id, {
          limit: 4,
          cursor: first.nextCursor ?? '',
        });
        expect(second.items.map((m) => m.content)).toEqual(['r4', 'hello']);
        expect(second).toMatchObject({ hasMore: false, nextCursor: null });
        await ctx.store.messages.hideMessage(a, replies[1]!.id);
        const forA = await ctx.store.messages.listReplies(root!.id, {
          limit: 10,
          viewerId: a,
          notBefore: at(11),
        });
        expect(forA.items.map((m) => m.content)).toEqual(['r2', 'r3', 'r4', 'hello']);
        expect((await ctx.store.messages.listReplies(other!.id, { limit: 10 })).items).toEqual([]);
      });

      test('search matches every token, in the given conversations, newest first, page by page', async (ctx) => {
        const { conversation, a, b } = privateConversation();
        const group = groupConversation();
        const elsewhere = privateConversation();
        for (const c of [conversation, group, elsewhere.conversation])
          await ctx.store.messages.ensureConversation(c);
        const say = async (c: typeof conversation, sender: string, content: string, t: number) =>
          (await ctx.store.messages.appendMessage(draft(c, sender, { content, createdAt: at(t) }))).message;
        const m1 = await say(conversation, a, '大家你好啊', 1);
        const m2 = await say(group, a, 'Hello world, 你好世界', 2);
        const m3 = await say(conversation, b, 'hello again', 3);
        await say(elsewhere.conversation, elsewhere.a, 'hello from elsewhere 你好', 4);
        const m5 = await say(conversation, a, 'HELLO WORLD', 5);
        const search = (
          q: string,
          extra: Partial<Parameters<typeof ctx.store.messages.searchMessages>[0]> = {},
        ) =>
          ctx.store.messages.searchMessages({
            tokens: queryTokens(q),
            conversationIds: [conversation.id, group.id],
            viewerId: a,
            limit: 10,
            ...extra,
          });
        expect((await search('你好')).items.map((m) => m.id)).toEqual([m2.id, m1.id]);
        expect((await search('hello')).items.map((m) => m.id)).toEqual([m5.id, m3.id, m2.id]);
        expect((await search('hello world')).items.map((m) => m.id)).toEqual([m5.id, m2.id]);
        expect((await search('家你')).items.map((m) => m.id)).toEqual([m1.id]);
        expect((await search('goodbye')).items).toEqual([]);
        expect((await search('hello', { conversationIds: [group.id] })).items.map((m) => m.id)).toEqual([
          m2.id,
        ]);
        expect((await search('hello', { conversationIds: [] })).items).toEqual([]);
        // Paging, newest first.
        const first = await search('hello', { limit: 2 });
        expect(first.items.map((m) => m.id)).toEqual([m5.id, m3.id]);
        expect(first.hasMore).toBe(true);
        const second = await search('hello', { limit: 2, cursor: first.nextCursor ?? '' });
        expect(second.items.map((m) => m.id)).toEqual([m2.id]);
        expect(second.hasMore).toBe(false);
        // Never: recalled, hidden for the viewer, older than notBefore. Edits re-index.
        await ctx.store.messages.recallMessage(m5.id, a, at(10));
        await ctx.store.messages.hideMessage(a, m3.id);
        expect((await search('hello')).items.map((m) => m.id)).toEqual([m2.id]);
        expect((await search('hello', { viewerId: b })).items.map((m) => m.id)).toEqual([m3.id, m2.id]);
        expect((await search('你好', { notBefore: at(2) })).items.map((m) => m.id)).toEqual([m2.id]);
        await ctx.store.messages.editMessage(m1.id, {
          content: 'now in english',
          editedAt: at(11),
          searchTokens: indexTokens('now in english'),
        });
        expect((await search('你好')).items.map((m) => m.id)).toEqual([m2.id]);
        expect((await search('english')).items.map((m) => m.id)).toEqual([m1.id]);
      });

      test('drafts whose tokens are computed when read (as the core sends them) are searchable, edits and recalls before any search included', async (ctx) => {
        const { conversation, a } = privateConversation();
        await ctx.store.messages.ensureConversation(conversation);
        // What the core appends: tokens of the draft's own content, computed on first read.
        const lazy = (content: string, seconds: number, contentType: 'text' | 'image' = 'text') => {
          const base = draft(conversation, a, { content, contentType, createdAt: at(seconds) });
          let tokens: readonly string[] | undefined;
          return Object.defineProperties(
            { ...base, [TOKENS_FROM_CONTENT]: true as const },
            {
              searchTokens: {
                enumerable: true,
                get: () => {
                  tokens ??= contentType === 'text' ? indexTokens(content) : [];
                  return tokens;
                },
              },
            },
          );
        };
        const append = async (d: ReturnType<typeof lazy>) =>
          (await ctx.store.messages.appendMessage(d)).message;
        const kept = await append(lazy('lazy hello 你好', 1));
        const edited = await append(lazy('lazy hello before', 2));
        const recalled = await append(lazy('lazy hello gone', 3));
        expect((await append(lazy('https://example.test/hello.png', 4, 'image'))).contentType).toBe('image');
        // The edit's own tokens are what is indexed from then on (here fewer than its words).
        await ctx.store.messages.editMessage(edited.id, {
          content: 'changed words',
          editedAt: at(5),
          searchTokens: indexTokens('changed'),
        });
        await ctx.store.messages.recallMessage(recalled.id, a, at(6));
        const search = async (q: string) =>
          (
            await ctx.store.messages.searchMessages({
              tokens: queryTokens(q),
              conversationIds: [conversation.id],
              viewerId: a,
              limit: 10,
            })
          ).items.map((m) => m.id);
        expect(await search('lazy hello')).toEqual([kept.id]);
        expect(await search('你好')).toEqual([kept.id]);
        expect(await search('changed')).toEqual([edited.id]);
        expect(await search('words')).toEqual([]);
        expect(await search('before')).toEqual([]);
        expect(await search('gone')).toEqual([]);
        expect(await search('png')).toEqual([]);
        // Appended after a search: found at the next one.
        const later = await append(lazy('lazy hello again', 7));
        expect(await search('again')).toEqual([later.id]);
      });

      test('search pages through many matches newest first, ties on createdAt in id order', async (ctx) => {
        const { conversation, a, b } = privateConversation();
        const group = groupConversation();
        const elsewhere = privateConversation();
        for (const c of [conversation, group, elsewhere.conversation])
          await ctx.store.messages.ensureConversation(c);
        // 36 matches in 6 instants, 6 messages each, spread over both conversations; drafted (so
        // id-ordered) first and stored in another order, so the order stored is not the answer.
        const drafts = [];
        for (let i = 0; i < 36; i++) {
          const c = i % 3 === 0 ? group : conversation;
          drafts.push(draft(c, i % 2 === 0 ? a : b, { content: `report ${i}`, createdAt: at(10 + (i % 6)) }));
        }
        // Around them: a newer and an older message without the word, and one the viewer cannot see.
        drafts.push(draft(conversation, a, { content: 'lunch', createdAt: at(100) }));
        drafts.push(draft(conversation, a, { content: 'lunch', createdAt: at(1) }));
        drafts.push(draft(elsewhere.conversation, elsewhere.a, { content: 'report', createdAt: at(12) }));
        const order = drafts
          .map((_, i) => i)
          .sort((x, y) => ((x * 7) % drafts.length) - ((y * 7) % drafts.length));
        const stored: MessageRecord[] = [];
        for (const i of order) stored.push((await ctx.store.messages.appendMessage(drafts[i]!)).message);
        await ctx.store.messages.recallMessage(stored.find((m) => m.content === 'report 7')!.id, b, at(50));
        await ctx.store.messages.hideMessage(a, stored.find((m) => m.content === 'report 8')!.id);
        const expected = stored
          .filter(
            (m) => m.content.startsWith('report ') && m.content !== 'report 7' && m.content !== 'report 8',
          )
          .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (y.id < x.id ? -1 : 1))
          .map((m) => m.id);
        expect(expected).toHaveLength(34);
        for (const limit of [1, 4, 6, 7, 50]) {
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 40; pages++) {
            const page = await ctx.store.messages.searchMessages({
              tokens: queryTokens('report'),
              conversationIds: [conversation.id, group.id],
              viewerId: a,
              limit,
              cursor,
            });
            seen.push(...page.items.map((m) => m.id));
            expect(page.items.length).toBeLessThanOrEqual(limit);
            if (!page.hasMore) {
              expect(page.nextCursor).toBeNull();
              break;
            }
            cursor = page.nextCursor ?? '';
          }
          expect(seen).toEqual(expected);
        }
        // Older than notBefore is out, even when the page would reach it.
        const recent = await ctx.store.messages.searchMessages({
          tokens: queryTokens('report'),
          conversationIds: [conversation.id, group.id],
          viewerId: a,
          notBefore: at(14),
          limit: 50,
        });
        expect(recent.items.map((m) => m.id)).toEqual(
          expected.filter((id) => stored.find((m) => m.id === id)!.createdAt >= at(14)),
        );
      });

      test('search over many conversations at once answers the newest matches of all of them', async (ctx) => {
        const { a } = privateConversation();
        const conversations = [];
        // More conversations than a store may put in one statement (adapters split the list).
        for (let i = 0; i < 120; i++) {
          const { conversation } = privateConversation();
          conversations.push(conversation);
          await ctx.store.messages.ensureConversation(conversation);
        }
        const matches: MessageRecord[] = [];
        for (const [i, c] of conversations.entries()) {
          const sender = c.memberIds[0] as string;
          if (i % 2 === 0) {
            const match = draft(c, sender, { content: `budget ${i}`, createdAt: at((i * 37) % 120) });
            matches.push((await ctx.store.messages.appendMessage(match)).message);
          }
          await ctx.store.messages.appendMessage(
            draft(c, sender, { content: 'coffee', createdAt: at(200 + i) }),
          );
        }
        const expected = matches
          .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (y.id < x.id ? -1 : 1))
          .map((m) => m.id);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const page = await ctx.store.messages.searchMessages({
            tokens: queryTokens('budget'),
            conversationIds: conversations.map((c) => c.id),
            viewerId: a,
            limit: 25,
            cursor,
          });
          seen.push(...page.items.map((m) => m.id));
          if (!page.hasMore) break;
          cursor = page.nextCursor ?? '';
        }
        expect(seen).toEqual(expected);
        // A few of them: only theirs.
        const few = conversations.filter((_, i) => i % 4 === 0);
        const page = await ctx.store.messages.searchMessages({
          tokens: queryTokens('budget'),
          conversationIds: few.map((c) => c.id),
          viewerId: a,
          limit: 100,
        });
        expect(page.items.map((m) => m.id)).toEqual(
          expected.filter((id) => few.some((c) => c.id === matches.find((m) => m.id === id)!.conversationId)),
        );
      });
    },
  );
}
