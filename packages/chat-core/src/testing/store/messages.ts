import { expect } from 'vitest';
import type { ConversationRecord, MessageDraft, MessageRecord } from '../../domain/records.js';
import { indexTokens } from '../../messaging/search-tokens.js';
import { objectIdGenerator } from '../../ports/ids.js';
import type { MessageStore } from '../../ports/store.js';
import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

const ids = objectIdGenerator();
export const T0 = new Date('2026-01-01T00:00:00.000Z');
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A private conversation between two fresh users. */
export function privateConversation(createdAt = T0): {
  conversation: ConversationRecord;
  a: string;
  b: string;
} {
  const [a, b] = [ids.next(), ids.next()].sort() as [string, string];
  return {
    conversation: {
      id: `p:${a}:${b}`,
      type: 'private',
      memberIds: [a, b],
      groupId: null,
      lastSeq: 0,
      lastVersion: 0,
      lastMessageAt: null,
      createdAt,
    },
    a,
    b,
  };
}

export function groupConversation(): ConversationRecord {
  const groupId = ids.next();
  return {
    id: `g:${groupId}`,
    type: 'group',
    memberIds: [],
    groupId,
    lastSeq: 0,
    lastVersion: 0,
    lastMessageAt: null,
    createdAt: T0,
  };
}

export function draft(
  conversation: ConversationRecord,
  senderId: string,
  overrides: Partial<MessageDraft> = {},
): MessageDraft {
  const receiverId =
    conversation.type === 'private' ? (conversation.memberIds.find((id) => id !== senderId) ?? null) : null;
  const base = {
    id: ids.next(),
    conversationId: conversation.id,
    type: conversation.type,
    senderId,
    receiverId,
    groupId: conversation.groupId,
    content: 'hello',
    contentType: 'text' as const,
    mentions: [],
    mentionAll: false,
    replyTo: null,
    clientMsgId: null,
    createdAt: T0,
    recalledAt: null,
    recalledBy: null,
    editedAt: null,
    ...overrides,
  };
  return { ...base, searchTokens: overrides.searchTokens ?? indexTokens(base.content) };
}

/** Appends `count` messages one after the other, one second apart starting at `from` seconds. */
export async function appendMany(
  messages: MessageStore,
  conversation: ConversationRecord,
  senderId: string,
  count: number,
  from = 0,
): Promise<MessageRecord[]> {
  const out: MessageRecord[] = [];
  for (let i = 0; i < count; i++) {
    const { message } = await messages.appendMessage(
      draft(conversation, senderId, { content: `m${i + 1}`, createdAt: at(from + i) }),
    );
    out.push(message);
  }
  return out;
}

const seqs = (items: readonly MessageRecord[]) => items.map((m) => m.seq);

/** A message as stored: read raw when the adapter gives probes. */
export async function stored(ctx: StoreTestContext, id: string): Promise<Record<string, unknown> | null> {
  if (ctx.probes) return ctx.probes.message(id);
  return (await ctx.store.messages.getMessage(id)) as unknown as Record<string, unknown> | null;
}

/** Store-level conformance of the messages area. */
export function messagesStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.messages',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (test) => {
      test('ensureConversation creates once and answers the stored conversation after', async ({ store }) => {
        const { conversation } = privateConversation();
        const first = await store.messages.ensureConversation(conversation);
        expect(first).toEqual(conversation);
        const again = await store.messages.ensureConversation({ ...conversation, createdAt: at(60) });
        expect(again.createdAt).toEqual(T0);
        await store.messages.appendMessage(draft(conversation, conversation.memberIds[0]!));
        const third = await store.messages.ensureConversation(conversation);
        expect(third.lastSeq).toBe(1);
        expect(await store.messages.getConversation(conversation.id)).toEqual(third);
      });

      test('getConversation and getConversations answer null and leave unknown ids out', async ({
        store,
      }) => {
        const one = privateConversation().conversation;
        const two = groupConversation();
        await store.messages.ensureConversation(one);
        await store.messages.ensureConversation(two);
        expect(await store.messages.getConversation(`p:${ids.next()}:${ids.next()}`)).toBeNull();
        const found = await store.messages.getConversations([two.id, 'g:unknown', one.id]);
        expect(found.map((c) => c.id).sort()).toEqual([one.id, two.id].sort());
        expect(await store.messages.getConversations([])).toEqual([]);
      });

      test('appendMessage numbers 1, 2, 3 and moves lastSeq and lastMessageAt', async (ctx) => {
        const { store } = ctx;
        const { conversation, a, b } = privateConversation();
        await store.messages.ensureConversation(conversation);
        const first = await store.messages.appendMessage(draft(conversation, a, { createdAt: at(1) }));
        const second = await store.messages.appendMessage(draft(conversation, b, { createdAt: at(2) }));
        const third = await store.messages.appendMessage(
          draft(conversation, a, { createdAt: at(3), mentions: [b], replyTo: first.message.id }),
        );
        expect([first, second, third].map((r) => [r.message.seq, r.created])).toEqual([
          [1, true],
          [2, true],
          [3, true],
        ]);
        const conv = await store.messages.getConversation(conversation.id);
        expect(conv?.lastSeq).toBe(3);
        expect(conv?.lastMessageAt).toEqual(at(3));
        expect(await store.messages.getMessage(third.message.id)).toEqual(third.message);
        expect(third.message).toMatchObject({ mentions: [b], replyTo: first.message.id, senderId: a });
        expect(await stored(ctx, second.message.id)).toMatchObject({ seq: 2, content: 'hello', senderId: b });
        expect(await store.messages.getMessage(ids.next())).toBeNull();
        expect(await store.messages.getMessage('not-an-id')).toBeNull();
      });

      test('each conversation has its own sequence', async ({ store }) => {
        const one = privateConversation();
        const two = groupConversation();
        await store.messages.ensureConversation(one.conversation);
        await store.messages.ensureConversation(two);
        await appendMany(store.messages, one.conversation, one.a, 3);
        const [g1] = await appendMany(store.messages, two, one.a, 1);
        expect(g1?.seq).toBe(1);
        expect((await store.messages.getConversation(two.id))?.lastSeq).toBe(1);
      });

      test('100 concurrent appends get seq 1 to 100 exactly', async ({ store }) => {
        const conversation = groupConversation();
        await store.messages.ensureConversation(conversation);
        const senders = Array.from({ length: 5 }, () => ids.next());
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            store.messages.appendMessage(draft(conversation, senders[i % 5]!, { content: `c${i}` })),
          ),
        );
        expect(results.every((r) => r.created)).toBe(true);
        expect(results.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(
          Array.from({ length: 100 }, (_, i) => i + 1),
        );
        expect((await store.messages.getConversation(conversation.id))?.lastSeq).toBe(100);
        const page = await store.messages.listMessages(conversation.id, { limit: 100 });
        expect(seqs(page.items)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
        expect(new Set(page.items.map((m) => m.id)).size).toBe(100);
      });

      test('10 concurrent appends with one clientMsgId store one message and burn no seq', async ({
        store,
      }) => {
        const { conversation, a } = privateConversation();
        await store.messages.ensureConversation(conversation);
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            store.messages.appendMessage(draft(conversation, a, { clientMsgId: 'client-1' })),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
        expect(results.every((r) => r.message.seq === 1)).toBe(true);
        expect((await store.messages.getConversation(conversation.id))?.lastSeq).toBe(1);
        const next = await store.messages.appendMessage(draft(conversation, a, { clientMsgId: 'client-2' }));
        expect(next.message.seq).toBe(2);
        const repeat = await store.messages.appendMessage(
          draft(conversation, a, { clientMsgId: 'client-1', content: 'changed' }),
        );
        expect(repeat).toMatchObject({ created: false, message: { seq: 1, content: 'hello' } });
        expect((await store.messages.listMessages(conversation.id, { limit: 10 })).items).toHaveLength(2);
      });

      test('the same clientMsgId from different senders makes distinct messages', async ({ store }) => {
        const { conversation, a, b } = privateConversation();
        await store.messages.ensureConversation(conversation);
        const fromA = await store.messages.appendMessage(draft(conversation, a, { clientMsgId: 'same' }));
        const fromB = await store.messages.appendMessage(draft(conversation, b, { clientMsgId: 'same' }));
        expect(fromA.created && fromB.created).toBe(true);
        expect(fromA.message.id).not.toBe(fromB.message.id);
        expect([fromA.message.seq, fromB.message.seq]).toEqual([1, 2]);
      });

      test('a history page without cursor holds the newest messages, ascending', async ({ store }) => {
        const { conversation, a } = privateConversation();
        await store.messages.ensureConversation(conversation);
        await appendMany(store.messages, conversation, a, 10);
        const page = await store.messages.listMessages(conversation.id, { limit: 4 });
        expect(seqs(page.items)).toEqual([7, 8, 9, 10]);
        expect(page.hasMore).toBe(true);
        const all = await store.messages.listMessages(conversation.id, { limit: 10 });
        expect(seqs(all.items)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(all.hasMore).toBe(false);
        const more = await store.messages.listMessages(conversation.id, { limit: 50 });
        expect(more.items).toHaveLength(10);
        expect(more.hasMore).toBe(false);
        expect(await store.messages.listMessages(`p:${ids.next()}:${ids.next()}`, { limit: 10 })).toEqual({
          items: [],
          hasMore: false,
        });
      });

      test('beforeSeq pages backward and hasMore says whether older ones remain', async ({ store }) => {
        const { conversation, a } = privateConversation();
        await store.messages.ensureConversation(conversation);
        await appendMany(store.messages, conversation, a, 10);
        const page = await store.messages.listMessages(conversation.id, { beforeSeq: 7, limit: 3 });
        expect(seqs(page.items)).toEqual([4, 5, 6]);
        expect(page.hasMore).toBe(true);
        const last = await store.messages.listMessages(conversation.id, { beforeSeq: 4, limit: 3 });
        expect(seqs(last.items)).toEqual([1, 2, 3]);
        expect(last.hasMore).toBe(false);
        const none = await store.messages.listMessages(conversation.id, { beforeSeq: 1, limit: 3 });
        expect(none).toEqual({ items: [], hasMore: false });
        const past = await store.messages.listMessages(conversation.id, { beforeSeq: 99, limit: 2 });
        expect(seqs(past.items)).toEqual([9, 10]);
        // afterSeq is ignored when beforeSeq is set.
        const both = await store.messages.listMessages(conversation.id, {
          beforeSeq: 3,
          afterSeq: 5,
          limit: 5,
        });
        expect(seqs(both.items)).toEqual([1, 2]);
      });

      test('afterSeq pages forward and hasMore says whether newer ones remain', async ({ store }) => {
        const { conversation, a } = privateConversation();
        await store.messages.ensureConversation(conversation);
        await appendMany(store.messages, conversation, a, 10);
        const page = await store.messages.listMessages(conversation.id, { afterSeq: 2, limit: 3 });
        expect(seqs(page.items)).toEqual([3, 4, 5]);
        expect(page.hasMore).toBe(true);
        const last = await store.messages.listMessages(conversation.id, { afterSeq: 7, limit: 3 });
        expect(seqs(last.items)).toEqual([8, 9, 10]);
        expect(last.hasMore).toBe(false);
        const from0 = await store.messages.listMessages(conversation.id, { afterSeq: 0, limit: 2 });
        expect(seqs(from0.items)).toEqual([1, 2]);
        expect(await store.messages.listMessages(conversation.id, { afterSeq: 10, limit: 3 })).toEqual({
          items: [],
          hasMore: false,
        });
      });

      test('notBefore leaves out messages older than the roaming window', async ({ store }) => {
        const { conversation, a } = privateConversation();
        await store.messages.ensureConversation(conversation);
        await appendMany(store.messages, conversation, a, 10); // created at 0 … 9 seconds
        const notBefore = at(6);
        const newest = await store.messages.listMessages(conversation.id, { limit: 10, notBefore });
        expect(seqs(newest.items)).toEqual([7, 8, 9, 10]);
        expect(newest.hasMore).toBe(false);
        const older = await store.messages.listMessages(conversation.id, {
          limit: 2,
          beforeSeq: 9,
          notBefore,
        });
        expect(seqs(older.items)).toEqual([7, 8]);
        expect(older.hasMore).toBe(false);
        const forward = await store.messages.listMessages(conversation.id, {
          afterSeq: 0,
          limit: 2,
          notBefore,
        });
        expect(seqs(forward.items)).toEqual([7, 8]);
        expect(forward.hasMore).toBe(true);
        const kept = await store.messages.listMessages(conversation.id, { limit: 10 });
        expect(kept.items).toHaveLength(10);
      });

      test('hidden messages are left out for their viewer only, and pages still fill', async ({ store }) => {
        const { conversation, a, b } = privateConversation();
        await store.messages.ensureConversation(conversation);
        const list = await appendMany(store.messages, conversation, a, 6);
        await store.messages.hideMessage(b, list[5]!.id);
        await store.messages.hideMessage(b, list[4]!.id);
        await store.messages.hideMessage(b, list[4]!.id); // idempotent
        await store.messages.hideMessage(b, list[0]!.id);
        const forB = await store.messages.listMessages(conversation.id, { limit: 2, viewerId: b });
        expect(seqs(forB.items)).toEqual([3, 4]);
        expect(forB.hasMore).toBe(true);
        const rest = await store.messages.listMessages(conversation.id, {
          limit: 2,
          beforeSeq: 3,
          viewerId: b,
        });
        expect(seqs(rest.items)).toEqual([2]);
        expect(rest.hasMore).toBe(false);
        const forward = await store.messages.listMessages(conversation.id, {
          afterSeq: 2,
          limit: 2,
          viewerId: b,
        });
        expect(seqs(forward.items)).toEqual([3, 4]);
        expect(forward.hasMore).toBe(false);
        const forA = await store.messages.listMessages(conversation.id, { limit: 10, viewerId: a });
        expect(seqs(forA.items)).toEqual([1, 2, 3, 4, 5, 6]);
        const anonymous = await store.messages.listMessages(conversation.id, { limit: 10 });
        expect(anonymous.items).toHaveLength(6);
        expect(await store.messages.getMessage(list[5]!.id)).not.toBeNull();
      });

      test('recallMessage empties the content and keeps the first recall', async (ctx) => {
        const { store } = ctx;
        const { conversation, a, b } = privateConversation();
        await store.messages.ensureConversation(conversation);
        const { message } = await store.messages.appendMessage(draft(conversation, a, { content: 'oops' }));
        const recalled = await store.messages.recallMessage(message.id, a, at(30));
        expect(recalled).toMatchObject({
          id: message.id,
          content: '',
          recalledAt: at(30),
          recalledBy: a,
          seq: 1,
        });
        expect(await stored(ctx, message.id)).toMatchObject({
          content: '',
          recalledBy: a,
          recalledAt: at(30),
        });
        const again = await store.messages.recallMessage(message.id, b, at(90));
        expect(again).toMatchObject({ recalledAt: at(30), recalledBy: a });
        const page = await store.messages.listMessages(conversation.id, { limit: 5 });
        expect(page.items[0]).toMatchObject({ content: '', recalledBy: a });
        expect(await store.messages.recallMessage(ids.next(), a, at(30))).toBeNull();
      });

      test('advanceCursor creates a cursor at zeros and answers before and after', async ({ store }) => {
        const { conversation, a } = privateConversation();
        expect(await store.messages.getCursor(a, conversation.id)).toBeNull();
        const created = await store.messages.advanceCursor(a, conversation.id, {}, at(1));
        expect(created.before).toBeNull();
        expect(created.after).toMatchObject({
          userId: a,
          conversationId: conversation.id,
          readSeq: 0,
          deliveredSeq: 0,
          lastMentionSeq: 0,
        });
        const moved = await store.messages.advanceCursor(a, conversation.id, { deliveredSeq: 4 }, at(2));
        expect(moved.before).toMatchObject({ readSeq: 0, deliveredSeq: 0 });
        expect(moved.after).toMatchObject({
          readSeq: 0,
          deliveredSeq: 4,
          lastMentionSeq: 0,
          updatedAt: at(2),
        });
        const first = await store.messages.advanceCursor(a, groupConversation().id, { readSeq: 3 }, at(3));
        expect(first.before).toBeNull();
        expect(first.after).toMatchObject({ readSeq: 3, deliveredSeq: 0, lastMentionSeq: 0 });
      });

      test('cursors only move forward: a lower seq keeps the max', async ({ store }) => {
        const { conversation, a } = privateConversation();
        await store.messages.advanceCursor(
          a,
          conversation.id,
          { readSeq: 5, deliveredSeq: 7, lastMentionSeq: 3 },
          at(1),
        );
        const lower = await store.messages.advanceCursor(
          a,
          conversation.id,
          { readSeq: 2, deliveredSeq: 6, lastMentionSeq: 4 },
          at(2),
        );
        expect(lower.before).toMatchObject({ readSeq: 5, deliveredSeq: 7, lastMentionSeq: 3 });
        expect(lower.after).toMatchObject({ readSeq: 5, deliveredSeq: 7, lastMentionSeq: 4 });
        expect(await store.messages.getCursor(a, conversation.id)).toMatchObject({
          readSeq: 5,
          deliveredSeq: 7,
          lastMentionSeq: 4,
        });
      });

      test('concurrent advances keep the highest seq', async ({ store }) => {
        const { conversation, a } = privateConversation();
        const order = [4, 9, 1, 7, 3, 8, 2, 6, 5];
        await Promise.all(
          order.map((seq) => store.messages.advanceCursor(a, conversation.id, { readSeq: seq }, at(seq))),
        );
        expect((await store.messages.getCursor(a, conversation.id))?.readSeq).toBe(9);
        expect(await store.messages.listCursorsOfUser(a)).toHaveLength(1);
      });

      test("appendMessage with senderCursor moves the sender's cursor with the message, and only it", async ({
        store,
      }) => {
        const { conversation, a, b } = privateConversation();
        await store.messages.ensureConversation(conversation);
        // No cursor yet: created at the new seq, read and delivered, stamped with the message's time.
        const first = await store.messages.appendMessage(draft(conversation, a, { createdAt: at(5) }), {
          senderCursor: true,
        });
        expect(await store.messages.getCursor(a, conversation.id)).toMatchObject({
          userId: a,
          conversationId: conversation.id,
          readSeq: first.message.seq,
          deliveredSeq: first.message.seq,
          lastMentionSeq: 0,
          updatedAt: at(5),
        });
        expect(await store.messages.getCursor(b, conversation.id)).toBeNull();
        // An existing cursor moves forward and keeps its mention seq; without the option nothing moves.
        await store.messages.advanceCursor(a, conversation.id, { lastMentionSeq: 1 }, at(6));
        const second = await store.messages.appendMessage(
          draft(conversation, a, { createdAt: at(7), clientMsgId: 'c-1' }),
          { senderCursor: true },
        );
        await store.messages.appendMessage(draft(conversation, a, { createdAt: at(8) }));
        expect(await store.messages.getCursor(a, conversation.id)).toMatchObject({
          readSeq: second.message.seq,
          deliveredSeq: second.message.seq,
          lastMentionSeq: 1,
          updatedAt: at(7),
        });
        // A repeat of a clientMsgId writes nothing, the cursor included.
        await store.messages.advanceCursor(a, conversation.id, {}, at(9));
        const repeat = await store.messages.appendMessage(
          draft(conversation, a, { createdAt: at(10), clientMsgId: 'c-1' }),
          { senderCursor: true },
        );
        expect(repeat.created).toBe(false);
        expect((await store.messages.getCursor(a, conversation.id))?.readSeq).toBe(second.message.seq);
        // A cursor already past the new seq (another device read ahead in a race) stays where it is.
        const { conversation: other, a: c } = privateConversation();
        await store.messages.ensureConversation(other);
        await store.messages.advanceCursor(c, other.id, { readSeq: 50, deliveredSeq: 50 }, at(1));
        await store.messages.appendMessage(draft(other, c, { createdAt: at(2) }), { senderCursor: true });
        expect(await store.messages.getCursor(c, other.id)).toMatchObject({
          readSeq: 50,
          deliveredSeq: 50,
          updatedAt: at(1),
        });
      });

      test('listCursorsOfUser answers one cursor per conversation of the user', async ({ store }) => {
        const one = privateConversation();
        const group = groupConversation();
        await store.messages.advanceCursor(one.a, one.conversation.id, { readSeq: 1 }, at(1));
        await store.messages.advanceCursor(one.a, group.id, {}, at(1));
        await store.messages.advanceCursor(one.b, one.conversation.id, {}, at(1));
        const cursors = await store.messages.listCursorsOfUser(one.a);
        expect(cursors.map((c) => c.conversationId).sort()).toEqual([one.conversation.id, group.id].sort());
        expect(cursors.every((c) => c.userId === one.a)).toBe(true);
        expect(await store.messages.listCursorsOfUser(ids.next())).toEqual([]);
      });

      test('deleteCursor removes the cursor from every read', async ({ store }) => {
        const group = groupConversation();
        const [u, v] = [ids.next(), ids.next()];
        await store.messages.advanceCursor(u, group.id, { readSeq: 2 }, at(1));
        await store.messages.advanceCursor(v, group.id, { readSeq: 2 }, at(1));
        await store.messages.deleteCursor(u, group.id);
        await store.messages.deleteCursor(u, group.id); // nothing left to delete: no throw
        expect(await store.messages.getCursor(u, group.id)).toBeNull();
        expect(await store.messages.listCursorsOfUser(u)).toEqual([]);
        expect((await store.messages.listReaders(group.id, 1, { limit: 10 })).items).toEqual([v]);
        const recreated = await store.messages.advanceCursor(u, group.id, { deliveredSeq: 1 }, at(2));
        expect(recreated.before).toBeNull();
        expect(recreated.after).toMatchObject({ readSeq: 0, deliveredSeq: 1 });
      });

      test('listReaders answers users whose readSeq reaches the seq, page by page', async ({ store }) => {
        const group = groupConversation();
        const other = groupConversation();
        const readers = [ids.next(), ids.next(), ids.next()];
        const behind = ids.next();
        for (const [i, id] of readers.entries()) {
          await store.messages.advanceCursor(id, group.id, { readSeq: 5 + i }, at(i));
        }
        await store.messages.advanceCursor(behind, group.id, { readSeq: 4, deliveredSeq: 9 }, at(5));
        await store.messages.advanceCursor(ids.next(), other.id, { readSeq: 9 }, at(5));

        const all = await store.messages.listReaders(group.id, 5, { limit: 10 });
        expect([...all.items].sort()).toEqual([...readers].sort());
        expect(all).toMatchObject({ hasMore: false, nextCursor: null });

        const seen: string[] = [];
        let page = await store.messages.listReaders(group.id, 5, { limit: 2 });
        expect(page.items).toHaveLength(2);
        expect(page.hasMore).toBe(true);
        seen.push(...page.items);
        page = await store.messages.listReaders(group.id, 5, {
          limit: 2,
          cursor: page.nextCursor ?? undefined,
        });
        expect(page).toMatchObject({ hasMore: false, nextCursor: null });
        seen.push(...page.items);
        expect(seen.sort()).toEqual([...readers].sort());

        expect((await store.messages.listReaders(group.id, 7, { limit: 10 })).items).toEqual([readers[2]]);
        expect((await store.messages.listReaders(group.id, 8, { limit: 10 })).items).toEqual([]);
        expect((await store.messages.listReaders(groupConversation().id, 1, { limit: 10 })).items).toEqual(
          [],
        );
      });

      test('records come back as copies, never aliases of what is stored', async ({ store }) => {
        const { conversation, a, b } = privateConversation();
        await store.messages.ensureConversation(conversation);
        conversation.memberIds.push('intruder');
        const input = draft(conversation, a, { mentions: [b], content: 'original' });
        const { message } = await store.messages.appendMessage(input);
        input.content = 'changed draft';
        input.mentions.push('x');
        message.content = 'changed answer';
        message.mentions.push('y');
        message.createdAt.setTime(0);
        const fetched = await store.messages.getMessage(message.id);
        expect(fetched).toMatchObject({ content: 'original', mentions: [b], createdAt: T0 });
        fetched!.content = 'changed fetch';
        const [listed] = (await store.messages.listMessages(conversation.id, { limit: 1 })).items;
        expect(listed?.content).toBe('original');
        listed!.content = 'changed list';
        expect((await store.messages.getMessage(message.id))?.content).toBe('original');

        const conv = await store.messages.getConversation(conversation.id);
        expect(conv?.memberIds).toEqual([a, b]);
        conv!.lastSeq = 42;
        conv!.memberIds.push('z');
        expect(await store.messages.getConversation(conversation.id)).toMatchObject({
          lastSeq: 1,
          memberIds: [a, b],
        });

        const { after } = await store.messages.advanceCursor(a, conversation.id, { readSeq: 1 }, at(1));
        after.readSeq = 99;
        const cursor = await store.messages.getCursor(a, conversation.id);
        expect(cursor?.readSeq).toBe(1);
        cursor!.readSeq = 98;
        const [listedCursor] = await store.messages.listCursorsOfUser(a);
        expect(listedCursor?.readSeq).toBe(1);
      });
    },
  );
}
