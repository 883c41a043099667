import { expect } from 'vitest';
import type { ControlEventMap } from '../../events.js';
import { privateConversationId } from '../../messaging/conversation-ids.js';
import type { ConformanceOptions } from '../harness.js';
import { expectCode, groupOf } from './group-helpers.js';
import { defineScenarios } from './scenario-area.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148';

/** Engine-level scenarios of sessions (signed-in devices) and privacy settings. */
export function sessionsAndPrivacyScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.sessions', options, (test) => {
    test('each login is a session with its device, address and times; current marks the caller', async (ctx) => {
      const alice = await ctx.user('Alice');
      ctx.clock.advance(1000);
      const desk = await ctx.engine.auth.login(
        { email: alice.email, password: alice.password },
        { ip: '10.0.0.1', userAgent: FIREFOX, sessionIp: '203.0.113.9' },
      );
      ctx.clock.advance(1000);
      const phone = await ctx.engine.auth.login(
        { email: alice.email, password: alice.password },
        { ip: '10.0.0.2', userAgent: PHONE },
      );
      const mine = await ctx.engine.auth.authenticate(desk.token);
      const { sessions } = await ctx.engine.sessions.list(mine);
      // The registration's session, the desk and the phone, most recently seen first.
      expect(sessions).toHaveLength(3);
      const deskView = sessions.find((s) => s.userAgent === FIREFOX);
      const phoneView = sessions.find((s) => s.userAgent === PHONE);
      expect(deskView).toMatchObject({ id: mine.jti, ip: '203.0.113.9', current: true });
      expect(phoneView?.current).toBe(false);
      // No trusted address: none is shown (the rate-limit address is not the client's for sure).
      expect(phoneView).not.toHaveProperty('ip');
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
      expect(sessions[0]?.id).toBe(phoneView?.id);
      expect(Date.parse(phoneView?.createdAt ?? '')).toBe(ctx.clock.now().getTime());
      const bob = await ctx.user('Bob');
      expect((await ctx.engine.sessions.list(bob.session)).sessions.map((s) => s.id)).toEqual([
        bob.session.jti,
      ]);
      void phone;
    });

    test('ending a session revokes its token and closes its connections; the others stay', async (ctx) => {
      const alice = await ctx.user('Alice');
      const phone = await ctx.engine.auth.login(
        { email: alice.email, password: alice.password },
        { userAgent: PHONE },
      );
      const phoneSession = await ctx.engine.auth.authenticate(phone.token);
      const signals: ControlEventMap['session_revoked'][] = [];
      ctx.engine.control.on('session_revoked', (s) => signals.push(s));
      await ctx.engine.sessions.end(alice.session, phoneSession.jti);
      expect(signals).toEqual([{ userId: alice.id, jti: phoneSession.jti }]);
      await expectCode(ctx.engine.auth.authenticate(phone.token), 'UNAUTHORIZED');
      await ctx.engine.auth.authenticate(alice.token);
      const { sessions } = await ctx.engine.sessions.list(alice.session);
      expect(sessions.map((s) => s.id)).toEqual([alice.session.jti]);
      // Ending it again, or someone else's, is NOT_FOUND and changes nothing.
      await expectCode(ctx.engine.sessions.end(alice.session, phoneSession.jti), 'NOT_FOUND');
      const bob = await ctx.user('Bob');
      await expectCode(ctx.engine.sessions.end(bob.session, alice.session.jti), 'NOT_FOUND');
      await expectCode(ctx.engine.sessions.end(bob.session, ''), 'VALIDATION_FAILED');
      await ctx.engine.auth.authenticate(alice.token);
      expect(signals).toHaveLength(1);
    });

    test('logout ends its session; logout-all and a password change end all of them', async (ctx) => {
      const alice = await ctx.user('Alice');
      const second = await ctx.engine.auth.login({ email: alice.email, password: alice.password });
      const secondSession = await ctx.engine.auth.authenticate(second.token);
      await ctx.engine.auth.logout(secondSession);
      expect((await ctx.engine.sessions.list(alice.session)).sessions.map((s) => s.id)).toEqual([
        alice.session.jti,
      ]);

      await ctx.engine.auth.login({ email: alice.email, password: alice.password });
      const { token } = await ctx.engine.auth.changePassword(
        alice.id,
        { currentPassword: alice.password, newPassword: 'a-new-password-42' },
        { userAgent: FIREFOX },
      );
      const fresh = await ctx.engine.auth.authenticate(token);
      const after = await ctx.engine.sessions.list(fresh);
      expect(after.sessions).toHaveLength(1);
      expect(after.sessions[0]).toMatchObject({ id: fresh.jti, userAgent: FIREFOX, current: true });

      await ctx.engine.auth.logoutAll(alice.id);
      expect(await ctx.store.sessions.listByUser(alice.id, ctx.clock.now())).toEqual([]);
    });

    test('using a session moves its lastSeenAt, at most once a minute', async (ctx) => {
      const alice = await ctx.user('Alice');
      const started = (await ctx.store.sessions.get(alice.session.jti))?.lastSeenAt;
      ctx.clock.advance(30_000);
      await ctx.engine.auth.authenticate(alice.token);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await ctx.store.sessions.get(alice.session.jti))?.lastSeenAt).toEqual(started);
      ctx.clock.advance(31_000);
      const at = ctx.clock.now();
      await ctx.engine.auth.authenticate(alice.token);
      await expect
        .poll(async () => (await ctx.store.sessions.get(alice.session.jti))?.lastSeenAt?.getTime())
        .toBe(at.getTime());
    });
  });

  defineScenarios('engine.privacy', options, (test) => {
    test('settings start all on, change one at a time, and refuse anything else', async (ctx) => {
      const alice = await ctx.user('Alice');
      expect((await ctx.engine.users.getMe(alice.id)).settings).toEqual({
        privateMessagePolicy: 'friends',
        showLastSeen: true,
        showOnline: true,
        sendReadReceipts: true,
        pushPreviews: true,
      });
      const updated = await ctx.engine.users.updateSettings(alice.id, { showLastSeen: false });
      expect(updated.settings).toMatchObject({
        showLastSeen: false,
        showOnline: true,
        sendReadReceipts: true,
      });
      for (const bad of [{ showOnline: 'no' }, { nickname: 'x' }, { showOnline: 1 }, null, []]) {
        await expectCode(ctx.engine.users.updateSettings(alice.id, bad as never), 'VALIDATION_FAILED');
      }
      expect((await ctx.engine.users.getMe(alice.id)).settings).toEqual(updated.settings);
      if (ctx.probes) {
        const raw = await ctx.probes.user(alice.id);
        expect(JSON.stringify(raw)).toMatch(/false|0/);
      }
      expect((await ctx.store.users.getById(alice.id))?.privacy.showLastSeen).toBe(false);
    });

    test('hidden last-seen: offline events, friend lists and presence lookups carry none', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      await ctx.befriend(alice, bob);
      await ctx.engine.users.updateSettings(alice.id, { showLastSeen: false });
      await ctx.engine.presence.connected(alice.id, 'a-1');
      ctx.clock.advance(5000);
      await ctx.engine.presence.disconnected(alice.id, 'a-1');
      const offline = ctx.eventsNamed('user_presence').at(-1);
      expect(offline?.payload).toEqual({ userId: alice.id, status: 'offline' });
      // Still stored: turning it on again shows the truth.
      expect((await ctx.store.users.getById(alice.id))?.lastSeenAt).not.toBeNull();
      const friends = await ctx.engine.friends.list(bob.id);
      expect(friends.items[0]).toMatchObject({ online: false, lastSeenAt: null });
      expect((await ctx.engine.presence.statusOf([alice.id])).get(alice.id)).toEqual({
        online: false,
        lastSeenAt: null,
      });
      await ctx.engine.users.updateSettings(alice.id, { showLastSeen: true });
      expect((await ctx.engine.friends.list(bob.id)).items[0]?.lastSeenAt).not.toBeNull();
    });

    test('hidden online: friends hear nothing of connections and see the user offline', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      await ctx.befriend(alice, bob);
      await ctx.engine.users.updateSettings(alice.id, { showOnline: false });
      await ctx.engine.presence.connected(alice.id, 'a-1');
      expect(ctx.eventsNamed('user_presence')).toEqual([]);
      expect((await ctx.engine.friends.list(bob.id)).items[0]?.online).toBe(false);
      expect((await ctx.engine.presence.statusOf([alice.id])).get(alice.id)?.online).toBe(false);
      // Showing it again while connected: friends hear the user is online now.
      await ctx.engine.users.updateSettings(alice.id, { showOnline: true });
      expect(ctx.eventsNamed('user_presence').map((e) => e.payload)).toEqual([
        { userId: alice.id, status: 'online' },
      ]);
      expect(ctx.eventsNamed('user_presence')[0]?.audience.users).toEqual([bob.id]);
      // And hiding it while connected looks like leaving.
      await ctx.engine.users.updateSettings(alice.id, { showOnline: false });
      expect(ctx.eventsNamed('user_presence').at(-1)?.payload).toEqual({
        userId: alice.id,
        status: 'offline',
      });
      await ctx.engine.presence.disconnected(alice.id, 'a-1');
      expect(ctx.eventsNamed('user_presence')).toHaveLength(2);
    });

    test('read receipts off: the reader sends none, and sees none of others (statuses stop at delivered)', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      await ctx.befriend(alice, bob);
      const conversationId = privateConversationId(alice.id, bob.id);
      await ctx.engine.users.updateSettings(bob.id, { sendReadReceipts: false });

      const { message } = await ctx.engine.messages.sendPrivate(alice.id, {
        receiverId: bob.id,
        content: 'hi',
      });
      await ctx.engine.messages.markRead(bob.id, conversationId, { seq: message.seq });
      expect(ctx.eventsNamed('message_read')).toEqual([]);
      // Bob's own unread count still follows what he read.
      const bobsList = await ctx.engine.conversations.list(bob.id);
      expect(bobsList.find((c) => c.id === conversationId)?.unreadCount).toBe(0);
      const aliceSees = await ctx.engine.messages.privateHistory(alice.id, bob.id);
      expect(aliceSees.messages.map((m) => m.status)).toEqual(['delivered']);
      const synced = await ctx.engine.messages.sync(alice.id, { conversationId, afterSeq: 0 });
      expect(synced.messages[0]?.status).toBe('delivered');
      const listed = await ctx.engine.conversations.list(alice.id);
      expect(listed.find((c) => c.id === conversationId)?.lastMessage?.status).toBe('delivered');

      // Bob does not see Alice's reads either, though she shares hers.
      const reply = await ctx.engine.messages.sendPrivate(bob.id, { receiverId: alice.id, content: 'hey' });
      await ctx.engine.messages.markRead(alice.id, conversationId, { seq: reply.message.seq });
      expect(ctx.eventsNamed('message_read')).toEqual([]);
      const bobSees = await ctx.engine.messages.privateHistory(bob.id, alice.id);
      expect(bobSees.messages.find((m) => m.id === reply.message.id)?.status).toBe('delivered');

      // Both on again: the reads that happened show, and new ones are told.
      await ctx.engine.users.updateSettings(bob.id, { sendReadReceipts: true });
      expect((await ctx.engine.messages.privateHistory(alice.id, bob.id)).messages[0]?.status).toBe('read');
      const third = await ctx.engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'again' });
      await ctx.engine.messages.markRead(bob.id, conversationId, { seq: third.message.seq });
      expect(ctx.eventsNamed('message_read').map((e) => e.payload.readerId)).toEqual([bob.id]);
    });

    test('read receipts off in a group: the reader is not listed, and a sender with them off sees no readers', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const group = await groupOf(ctx, alice, [bob, carol]);
      await ctx.engine.users.updateSettings(carol.id, { sendReadReceipts: false });
      const { message } = await ctx.engine.messages.sendGroup(alice.id, {
        groupId: group.id,
        content: 'hello all',
      });
      const before = ctx.eventsNamed('message_read').length;
      await ctx.engine.messages.markRead(bob.id, message.conversationId, { seq: message.seq });
      await ctx.engine.messages.markRead(carol.id, message.conversationId, { seq: message.seq });
      expect(
        ctx
          .eventsNamed('message_read')
          .slice(before)
          .map((e) => e.payload.readerId),
      ).toEqual([bob.id]);
      const readers = await ctx.engine.messages.readers(alice.id, message.id);
      expect(readers.items.map((u) => u.id)).toEqual([bob.id]);
      await ctx.engine.users.updateSettings(alice.id, { sendReadReceipts: false });
      expect((await ctx.engine.messages.readers(alice.id, message.id)).items).toEqual([]);
    });
  });
}
