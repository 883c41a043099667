/** QR codes and invite tokens: a personal one to add me as a friend, expiring ones to join a group. */
import { z } from 'zod';
import type { EngineContext } from '../context.js';
import { toGroupCard, toPublicUser } from '../domain/mappers.js';
import type { InviteRedemption, InviteView, QrCodeView } from '../domain/views.js';
import { ChatError } from '../errors.js';
import type { GroupService } from '../groups/group-service.js';
import { isStaff } from '../groups/roles.js';
import { requireGroupMember } from '../messaging/access.js';
import type { FriendService } from '../social/friend-service.js';
import { iso } from '../util/time.js';
import { idSchema, parseInput } from '../util/validate.js';
import {
  type GroupInvitePayload,
  type InvitePayload,
  inviteSigner,
  type UserInvitePayload,
} from './invite-tokens.js';
import { renderQr } from './qr.js';

/** Image format of a QR code: a PNG data URL or SVG text. */
export type QrFormat = 'png' | 'svg';

/** QR codes and invite tokens: `engine.invites`. */
export interface InviteService {
  /** The caller's personal invite (stable until rotated) as a QR code, PNG data URL or SVG text. */
  myQrCode(userId: string, input?: { format?: QrFormat }): Promise<QrCodeView>;
  /** A new personal token; the old one answers INVITE_EXPIRED. */
  rotateMyQrCode(userId: string, input?: { format?: QrFormat }): Promise<QrCodeView>;
  /**
   * A group invite (owner/admins: FORBIDDEN for members, NOT_GROUP_MEMBER for others), expiring
   * after the configured TTL.
   */
  groupQrCode(userId: string, groupId: string, input?: { format?: QrFormat }): Promise<QrCodeView>;
  /**
   * What a token points at, without redeeming. NOT_FOUND for a malformed or forged token, an
   * unknown user, a user who has blocked the viewer, or a dissolved group; INVITE_EXPIRED for
   * expired or rotated tokens.
   */
  resolve(viewerId: string, token: string): Promise<InviteView>;
  /**
   * user: sends a friend request as `friends.sendRequest` would (VALIDATION_FAILED for one's own
   * token, ALREADY_FRIENDS, BLOCKED); group: joins past the join policy (ALREADY_MEMBER, GROUP_FULL).
   */
  redeem(userId: string, token: string): Promise<InviteRedemption>;
}

/** The services redeeming goes through, so an invite obeys the same rules as a direct request or join. */
export interface InviteServiceDeps {
  friends: FriendService;
  groups: GroupService;
}

/** `?format=` of the QR code routes. */
export const formatSchema = z
  .object({ format: z.enum(['png', 'svg']).default('png') })
  .default({ format: 'png' });
const tokenSchema = z.string().max(2048);

/** Builds `engine.invites` over the engine's context. */
export function createInviteService(ctx: EngineContext, deps: InviteServiceDeps): InviteService {
  const { store } = ctx;
  const signer = inviteSigner(ctx.config.jwtSecret);
  const base = ctx.config.publicUrl.replace(/\/+$/, '');

  async function qr(payload: InvitePayload, format: QrFormat, expiresAt?: Date): Promise<QrCodeView> {
    const token = signer.sign(payload);
    const url = `${base}/invite/${token}`;
    const view: QrCodeView = { token, url, image: await renderQr(url, format) };
    if (expiresAt) view.expiresAt = iso(expiresAt);
    return view;
  }

  async function personal(userId: string, format: QrFormat, bump: boolean): Promise<QrCodeView> {
    const user = await store.users.getById(userId);
    if (!user) throw new ChatError('NOT_FOUND', 'No such user');
    let version = user.inviteVersion;
    if (bump) {
      const updated = await store.users.update(userId, {
        inviteVersion: user.inviteVersion + 1,
        updatedAt: ctx.clock.now(),
      });
      if (!updated) throw new ChatError('NOT_FOUND', 'No such user');
      version = updated.inviteVersion;
    }
    return qr({ k: 'u', id: userId, v: version }, format);
  }

  /** A genuine token's payload, or NOT_FOUND. */
  function open(token: unknown): InvitePayload {
    const raw = parseInput(tokenSchema, token);
    const payload = signer.verify(raw);
    if (!payload) throw new ChatError('NOT_FOUND', 'No such invite');
    return payload;
  }

  async function userTarget(payload: UserInvitePayload) {
    const user = await store.users.getById(payload.id);
    if (!user) throw new ChatError('NOT_FOUND', 'No such invite');
    if (user.inviteVersion !== payload.v) throw new ChatError('INVITE_EXPIRED');
    return user;
  }

  async function groupTarget(payload: GroupInvitePayload) {
    const group = await store.groups.get(payload.id);
    if (!group || group.dissolvedAt) throw new ChatError('NOT_FOUND', 'No such invite');
    if (group.inviteVersion !== payload.v) throw new ChatError('INVITE_EXPIRED');
    if (ctx.clock.now().getTime() >= payload.exp * 1000) throw new ChatError('INVITE_EXPIRED');
    return group;
  }

  return {
    async myQrCode(userId, input) {
      const { format } = parseInput(formatSchema, input ?? {});
      return personal(userId, format, false);
    },

    async rotateMyQrCode(userId, input) {
      const { format } = parseInput(formatSchema, input ?? {});
      return personal(userId, format, true);
    },

    async groupQrCode(userId, rawGroupId, input) {
      const { format } = parseInput(formatSchema, input ?? {});
      const groupId = parseInput(idSchema, rawGroupId);
      const { group, member } = await requireGroupMember(ctx, userId, groupId);
      if (!isStaff(member.role)) {
        throw new ChatError('FORBIDDEN', 'Only the owner and admins may invite by QR code');
      }
      // Whole seconds keep the token short; the expiry never lands before the configured TTL.
      const exp = Math.ceil(ctx.clock.now().getTime() / 1000) + ctx.config.groupInviteTtlSeconds;
      return qr({ k: 'g', id: group.id, v: group.inviteVersion, exp }, format, new Date(exp * 1000));
    },

    async resolve(viewerId, token) {
      const payload = open(token);
      if (payload.k === 'u') {
        const user = await userTarget(payload);
        if (user.id !== viewerId) {
          // Someone who blocked the viewer is invisible to them, as in getProfile.
          const relation = await store.social.getRelation(viewerId, user.id);
          if (relation.bBlocksA) throw new ChatError('NOT_FOUND', 'No such invite');
        }
        return { kind: 'user', user: toPublicUser(user) };
      }
      const group = await groupTarget(payload);
      return { kind: 'group', group: toGroupCard(group), expiresAt: iso(new Date(payload.exp * 1000)) };
    },

    async redeem(userId, token) {
      const payload = open(token);
      if (payload.k === 'u') {
        const user = await userTarget(payload);
        if (user.id === userId) {
          throw new ChatError('VALIDATION_FAILED', 'This is your own invite', {
            details: { fields: { token: 'is your own invite' } },
          });
        }
        const { request, friend } = await deps.friends.sendRequest(userId, { userId: user.id });
        return { kind: 'user', request, friend: friend ?? null };
      }
      const group = await groupTarget(payload);
      const { group: view } = await deps.groups.joinViaInvite(userId, group.id);
      return { kind: 'group', group: view, joined: true };
    },
  };
}
