/** QR codes and invite tokens: a personal one to add me as a friend, expiring ones to join a group. */
import type { EngineContext } from '../context.js';
import type { InviteRedemption, InviteView, QrCodeView } from '../domain/views.js';
import type { GroupService } from '../groups/group-service.js';
import type { FriendService } from '../social/friend-service.js';
import { notImplemented } from '../util/not-implemented.js';

export type QrFormat = 'png' | 'svg';

export interface InviteService {
  /** The caller's personal invite (stable until rotated) as a QR code, PNG data URL or SVG text. */
  myQrCode(userId: string, input?: { format?: QrFormat }): Promise<QrCodeView>;
  /** A new personal token; the old one answers INVITE_EXPIRED. */
  rotateMyQrCode(userId: string, input?: { format?: QrFormat }): Promise<QrCodeView>;
  /** A group invite (owner/admins), expiring after the configured TTL. */
  groupQrCode(userId: string, groupId: string, input?: { format?: QrFormat }): Promise<QrCodeView>;
  /** What a token points at, without redeeming. INVITE_EXPIRED for expired or rotated tokens. */
  resolve(viewerId: string, token: string): Promise<InviteView>;
  /** user: sends a friend request; group: joins, past approval. */
  redeem(userId: string, token: string): Promise<InviteRedemption>;
}

export interface InviteServiceDeps {
  friends: FriendService;
  groups: GroupService;
}

export function createInviteService(_ctx: EngineContext, _deps: InviteServiceDeps): InviteService {
  return {
    myQrCode: () => notImplemented('invites.myQrCode'),
    rotateMyQrCode: () => notImplemented('invites.rotateMyQrCode'),
    groupQrCode: () => notImplemented('invites.groupQrCode'),
    resolve: () => notImplemented('invites.resolve'),
    redeem: () => notImplemented('invites.redeem'),
  };
}
