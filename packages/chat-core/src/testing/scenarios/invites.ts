import { expect } from 'vitest';
import { inviteSigner } from '../../invites/invite-tokens.js';
import { SCENARIO_CONFIG } from '../fixtures.js';
import type { ConformanceOptions } from '../harness.js';
import { expectCode, expectRefused, groupOf, systemTexts } from './group-helpers.js';
import { defineScenarios } from './scenario-area.js';

const PUBLIC_URL = 'http://localhost:3000';
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** Swaps one character of the signed payload, keeping the signature. */
function tamper(token: string): string {
  const [body = '', signature = ''] = token.split('.');
  const json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...json, v: Number(json.v) + 1 })).toString('base64url');
  return `${forged}.${signature}`;
}

/** Engine-level scenarios of the invites area. */
export function invitesScenarios(options: ConformanceOptions): void {
  defineScenarios('engine.invites', options, (test) => {
    test('my QR code: a stable token, a URL under PUBLIC_URL, as a PNG data URL or SVG text', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const png = await ctx.engine.invites.myQrCode(alice.id);
      expect(png.url).toBe(`${PUBLIC_URL}/invite/${png.token}`);
      expect(png.image.startsWith('data:image/png;base64,')).toBe(true);
      expect(png.image.length).toBeGreaterThan(200);
      expect(png.expiresAt).toBeUndefined();
      const svg = await ctx.engine.invites.myQrCode(alice.id, { format: 'svg' });
      expect(svg.token).toBe(png.token);
      expect(svg.image).toContain('<svg');
      expect((await ctx.engine.invites.myQrCode(alice.id, { format: 'png' })).token).toBe(png.token);
      const other = await ctx.engine.invites.myQrCode(bob.id);
      expect(other.token).not.toBe(png.token);
      expect(other.image).not.toBe(png.image);
      await expectCode(
        ctx.engine.invites.myQrCode(alice.id, { format: 'gif' as 'png' }),
        'VALIDATION_FAILED',
      );
    });

    test('a trailing slash of PUBLIC_URL does not double in the invite URL', async (ctx) => {
      const engine = ctx.withConfig({ publicUrl: 'https://chat.example.test/' });
      const alice = await ctx.user('Alice');
      const qr = await engine.invites.myQrCode(alice.id, { format: 'svg' });
      expect(qr.url).toBe(`https://chat.example.test/invite/${qr.token}`);
    });

    test('resolve shows who a personal token adds, without redeeming it', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const { token } = await ctx.engine.invites.myQrCode(alice.id);
      const events = ctx.events.length;
      const view = await ctx.engine.invites.resolve(bob.id, token);
      expect(view.kind).toBe('user');
      expect(view.user).toMatchObject({ id: alice.id, nickname: 'Alice' });
      expect(view.user).not.toHaveProperty('email');
      expect(ctx.events.length).toBe(events);
      expect(await ctx.store.social.getPendingRequest(bob.id, alice.id)).toBeNull();
    });

    test('redeeming a personal token sends a friend request, once', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const { token } = await ctx.engine.invites.myQrCode(alice.id);
      const redeemed = await ctx.engine.invites.redeem(bob.id, token);
      if (redeemed.kind !== 'user') throw new Error('expected a user invite');
      expect(redeemed.request).toMatchObject({ fromId: bob.id, toId: alice.id, status: 'pending' });
      expect(redeemed.friend).toBeNull();
      const notice = ctx.eventsNamed('friend_request').at(-1);
      expect(notice?.payload.id).toBe(redeemed.request?.id);
      expect(notice?.audience.users).toEqual([alice.id]);
      // A second scan answers the pending request rather than a new one.
      const again = await ctx.engine.invites.redeem(bob.id, token);
      expect(again.kind === 'user' && again.request?.id).toBe(redeemed.request?.id);
      await ctx.engine.friends.accept(alice.id, redeemed.request!.id);
      await expectCode(ctx.engine.invites.redeem(bob.id, token), 'ALREADY_FRIENDS');
      await expectCode(ctx.engine.invites.redeem(alice.id, token), 'VALIDATION_FAILED');
    });

    test('redeeming the token of someone who already asked you makes you friends at once', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      await ctx.engine.friends.sendRequest(alice.id, { userId: bob.id });
      const { token } = await ctx.engine.invites.myQrCode(alice.id);
      const redeemed = await ctx.engine.invites.redeem(bob.id, token);
      if (redeemed.kind !== 'user') throw new Error('expected a user invite');
      expect(redeemed.friend?.user.id).toBe(alice.id);
      expect((await ctx.store.social.getRelation(alice.id, bob.id)).friendship).not.toBeNull();
    });

    test('redeeming across a block is refused and sends nothing', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const { token } = await ctx.engine.invites.myQrCode(alice.id);
      await ctx.engine.blacklist.add(alice.id, { userId: bob.id });
      const events = ctx.events.length;
      await expectCode(ctx.engine.invites.redeem(bob.id, token), 'BLOCKED');
      expect(ctx.events.length).toBe(events);
      expect(await ctx.store.social.getPendingRequest(bob.id, alice.id)).toBeNull();
    });

    test('a personal token of someone who blocked the viewer resolves to NOT_FOUND, as their profile does', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const { token } = await ctx.engine.invites.myQrCode(alice.id);
      await ctx.engine.blacklist.add(alice.id, { userId: bob.id });
      await expectCode(ctx.engine.invites.resolve(bob.id, token), 'NOT_FOUND');
      // The one who blocked still sees whom a token adds.
      const bobToken = (await ctx.engine.invites.myQrCode(bob.id)).token;
      expect((await ctx.engine.invites.resolve(alice.id, bobToken)).user?.id).toBe(bob.id);
    });

    test('rotating the personal QR code expires every older token', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const first = await ctx.engine.invites.myQrCode(alice.id);
      const second = await ctx.engine.invites.rotateMyQrCode(alice.id, { format: 'svg' });
      expect(second.token).not.toBe(first.token);
      expect(second.image).toContain('<svg');
      expect((await ctx.engine.invites.myQrCode(alice.id)).token).toBe(second.token);
      await expectCode(ctx.engine.invites.resolve(bob.id, first.token), 'INVITE_EXPIRED');
      await expectCode(ctx.engine.invites.redeem(bob.id, first.token), 'INVITE_EXPIRED');
      expect(await ctx.store.social.getPendingRequest(bob.id, alice.id)).toBeNull();
      const third = await ctx.engine.invites.rotateMyQrCode(alice.id);
      expect(third.image.startsWith('data:image/png;base64,')).toBe(true);
      await expectCode(ctx.engine.invites.resolve(bob.id, second.token), 'INVITE_EXPIRED');
      expect((await ctx.engine.invites.resolve(bob.id, third.token)).user?.id).toBe(alice.id);
    });

    test('malformed, forged and foreign tokens are NOT_FOUND', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const { token } = await ctx.engine.invites.myQrCode(alice.id);
      const foreign = inviteSigner('another-secret-of-enough-length').sign({ k: 'u', id: alice.id, v: 0 });
      const unknownUser = inviteSigner(SCENARIO_CONFIG.jwtSecret).sign({
        k: 'u',
        id: '0123456789abcdef01234567',
        v: 0,
      });
      const bad = [
        '',
        'garbage',
        `${token}x`,
        `x${token}`,
        token.replace('.', ''),
        `${token}.extra`,
        tamper(token),
        foreign,
        unknownUser,
        `${token.split('.')[0]}.`,
      ];
      const events = ctx.events.length;
      for (const candidate of bad) {
        await expectCode(ctx.engine.invites.resolve(bob.id, candidate), 'NOT_FOUND');
        await expectCode(ctx.engine.invites.redeem(bob.id, candidate), 'NOT_FOUND');
      }
      await expectCode(ctx.engine.invites.resolve(bob.id, 42 as unknown as string), 'VALIDATION_FAILED');
      expect(ctx.events.length).toBe(events);
      expect(await ctx.store.social.getPendingRequest(bob.id, alice.id)).toBeNull();
    });

    test('group QR code: owner and admins only, expiring after the configured TTL', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const carol = await ctx.user('Carol');
      const outsider = await ctx.user('Outsider');
      const group = await groupOf(ctx, alice, [bob, carol]);
      await ctx.engine.groups.setAdmin(alice.id, group.id, bob.id, true);
      const qr = await ctx.engine.invites.groupQrCode(alice.id, group.id);
      expect(qr.url).toBe(`${PUBLIC_URL}/invite/${qr.token}`);
      expect(qr.image.startsWith('data:image/png;base64,')).toBe(true);
      expect(qr.expiresAt).toBe(new Date(ctx.clock.now().getTime() + WEEK_MS).toISOString());
      const byAdmin = await ctx.engine.invites.groupQrCode(bob.id, group.id, { format: 'svg' });
      expect(byAdmin.image).toContain('<svg');
      await expectCode(ctx.engine.invites.groupQrCode(carol.id, group.id), 'FORBIDDEN');
      await expectCode(ctx.engine.invites.groupQrCode(outsider.id, group.id), 'NOT_GROUP_MEMBER');
      await expectCode(ctx.engine.invites.groupQrCode(alice.id, '0123456789abcdef01234567'), 'NOT_FOUND');
      await expectCode(
        ctx.engine.invites.groupQrCode(alice.id, group.id, { format: 'jpeg' as 'png' }),
        'VALIDATION_FAILED',
      );
      const view = await ctx.engine.invites.resolve(outsider.id, qr.token);
      expect(view).toEqual({
        kind: 'group',
        group: { ...(await ctx.engine.groups.get(outsider.id, group.id)).group },
        expiresAt: qr.expiresAt,
      });
      expect(view.group).not.toHaveProperty('ownerId');
    });

    test('redeeming a group token joins past approval and invite-only policies', async (ctx) => {
      const alice = await ctx.user('Alice');
      const erin = await ctx.user('Erin');
      const frank = await ctx.user('Frank');
      for (const joinPolicy of ['approval', 'invite'] as const) {
        const group = await groupOf(ctx, alice, [], { joinPolicy, name: joinPolicy });
        const { token } = await ctx.engine.invites.groupQrCode(alice.id, group.id);
        const redeemed = await ctx.engine.invites.redeem(erin.id, token);
        expect(redeemed).toMatchObject({
          kind: 'group',
          joined: true,
          group: { id: group.id, myRole: 'member' },
        });
        expect(await ctx.store.groups.getMember(group.id, erin.id)).not.toBeNull();
        const event = ctx.eventsNamed('group_member_joined').at(-1);
        expect(event?.payload).toMatchObject({ groupId: group.id, userId: erin.id });
        expect(event?.audience.groups).toEqual([group.id]);
        expect((await systemTexts(ctx, group.id)).at(-1)).toBe('Erin joined the group via an invite');
        expect((await ctx.engine.groups.listJoinRequests(alice.id, group.id)).items).toEqual([]);
        await expectRefused(ctx, group.id, 'ALREADY_MEMBER', () => ctx.engine.invites.redeem(erin.id, token));
        // The same token serves more people until it expires.
        await ctx.engine.invites.redeem(frank.id, token);
        expect(await ctx.store.groups.getMember(group.id, frank.id)).not.toBeNull();
      }
    });

    test('redeeming a group token into a full group is GROUP_FULL and changes nothing', async (ctx) => {
      const alice = await ctx.user('Alice');
      const bob = await ctx.user('Bob');
      const erin = await ctx.user('Erin');
      const group = await groupOf(ctx, alice, [bob], { maxMembers: 2 });
      const { token } = await ctx.engine.invites.groupQrCode(alice.id, group.id);
      await expectRefused(ctx, group.id, 'GROUP_FULL', () => ctx.engine.invites.redeem(erin.id, token));
    });

    test('a group token expires after its TTL; a dissolved group’s token is NOT_FOUND', async (ctx) => {
      const alice = await ctx.user('Alice');
      const erin = await ctx.user('Erin');
      const group = await groupOf(ctx, alice, [], { joinPolicy: 'invite' });
      const { token } = await ctx.engine.invites.groupQrCode(alice.id, group.id);
      ctx.clock.advance(WEEK_MS - 1000);
      expect((await ctx.engine.invites.resolve(erin.id, token)).kind).toBe('group');
      ctx.clock.advance(1000);
      await expectCode(ctx.engine.invites.resolve(erin.id, token), 'INVITE_EXPIRED');
      await expectRefused(ctx, group.id, 'INVITE_EXPIRED', () => ctx.engine.invites.redeem(erin.id, token));
      // A fresh code works again; the configured TTL decides its lifetime.
      const short = ctx.withConfig({ groupInviteTtlSeconds: 60 });
      const fresh = await short.invites.groupQrCode(alice.id, group.id);
      expect(fresh.expiresAt).toBe(new Date(ctx.clock.now().getTime() + 60_000).toISOString());
      ctx.clock.advance(61_000);
      await expectCode(short.invites.redeem(erin.id, fresh.token), 'INVITE_EXPIRED');
      const live = await ctx.engine.invites.groupQrCode(alice.id, group.id);
      await ctx.engine.groups.dissolve(alice.id, group.id);
      await expectCode(ctx.engine.invites.resolve(erin.id, live.token), 'NOT_FOUND');
      await expectCode(ctx.engine.invites.redeem(erin.id, live.token), 'NOT_FOUND');
      expect(await ctx.store.groups.getMember(group.id, erin.id)).toBeNull();
    });
  });
}
