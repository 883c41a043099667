/** Who is online, and typing: relayed, never stored. */
import { z } from 'zod';
import type { EngineContext, Origin } from '../context.js';
import type { PrivacySettings, UserRecord } from '../domain/records.js';
import { ChatError } from '../errors.js';
import { requireGroupMember, requirePrivatePeer } from '../messaging/access.js';
import { visiblePresence } from '../privacy/visibility.js';
import { iso } from '../util/time.js';
import { idSchema, parseInput } from '../util/validate.js';

/** `typing_status`: to one user (`to`) or to a group (`groupId`). */
export type TypingInput = { to: string; isTyping: boolean } | { groupId: string; isTyping: boolean };

/** `typing_status`: to one user (`to`) or to a group (`groupId`): exactly one of the two. */
export const typingSchema = z
  .object({
    to: idSchema.optional(),
    groupId: idSchema.optional(),
    isTyping: z.boolean({ error: 'required, true or false' }),
  })
  .superRefine((value, ctx) => {
    if ((value.to === undefined) === (value.groupId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'give exactly one of to and groupId' });
    }
  })
  .transform(
    ({ to, groupId, isTyping }): TypingInput =>
      to !== undefined ? { to, isTyping } : { groupId: groupId ?? '', isTyping },
  );

/** Online state and typing: `engine.presence`, driven by the transport's connections. */
export interface PresenceService {
  /**
   * A connection of the user opened. On the user's first connection their friends (never across a
   * block) get `user_presence` online — unless the user is back within the grace period of their
   * last disconnect, in which case friends never heard they had left and hear nothing.
   */
  connected(userId: string, connectionId: string): Promise<void>;
  /**
   * A connection closed. When it was the last one, friends get `user_presence` offline with
   * `lastSeenAt` after the configured grace, unless the user came back within it. The user's
   * `lastSeenAt` is stored at the same moment.
   */
  disconnected(userId: string, connectionId: string): Promise<void>;
  /**
   * Relays typing to a user (NOT_FOUND unknown, BLOCKED either way, NOT_FRIENDS under the
   * friends-only policy) or a group's other members (NOT_FOUND unknown or dissolved,
   * NOT_GROUP_MEMBER). `origin.connectionId` is left out of a group's audience.
   */
  typing(userId: string, input: TypingInput, origin?: Origin): Promise<void>;
  /** A user's privacy changed: friends hear it when it changes what they see of them now. */
  privacyChanged(user: UserRecord, before: PrivacySettings): Promise<void>;
  /**
   * Online state and last-seen time of these users as others may see them (their privacy
   * applied); every id asked for has an entry.
   */
  statusOf(userIds: readonly string[]): Promise<Map<string, { online: boolean; lastSeenAt: Date | null }>>;
  /** Cancels pending offline broadcasts (engine shutdown). */
  close(): void;
}

/** Builds `engine.presence`; its offline timers stop with `close()`. */
export function createPresenceService(ctx: EngineContext): PresenceService {
  const { store, presence } = ctx;
  /** Offline broadcasts waiting out the grace period, by user. */
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  let closed = false;

  /** Friends who may see the user's presence: never across a block either way. */
  async function audienceOf(userId: string): Promise<string[]> {
    const friendIds = await store.social.listFriendIds(userId);
    if (friendIds.length === 0) return [];
    const blocked = await store.social.filterBlockedEither(userId, friendIds);
    return friendIds.filter((id) => !blocked.has(id));
  }

  async function broadcast(
    userId: string,
    payload: { status: 'online' } | { status: 'offline'; lastSeenAt?: string },
  ) {
    const users = await audienceOf(userId);
    if (users.length > 0) ctx.emit('user_presence', { userId, ...payload }, { users });
  }

  async function goOffline(userId: string, at: Date): Promise<void> {
    if (await presence.isOnline(userId)) return;
    const user = await store.users.update(userId, { lastSeenAt: at });
    // Hidden online: friends never saw the user come, so they hear nothing of them leaving.
    if (user && !user.privacy.showOnline) return;
    await broadcast(userId, offlinePayload(user?.privacy, at));
  }

  /** The offline event as the user lets friends see it: the last-seen time only when shown. */
  function offlinePayload(
    privacy: PrivacySettings | undefined,
    at: Date | null,
  ): { status: 'offline'; lastSeenAt?: string } {
    const shown = visiblePresence(privacy, false, at);
    return shown.lastSeenAt === null
      ? { status: 'offline' }
      : { status: 'offline', lastSeenAt: iso(shown.lastSeenAt) };
  }

  function cancelPending(userId: string): boolean {
    const timer = pending.get(userId);
    if (timer === undefined) return false;
    clearTimeout(timer);
    pending.delete(userId);
    return true;
  }

  /** Whether the user's last disconnect, on any node, is more recent than the grace period. */
  async function leftWithinGrace(userId: string): Promise<boolean> {
    const grace = ctx.config.presenceGraceMs;
    if (grace === 0) return false;
    const seen = (await presence.lastSeen([userId])).get(userId);
    return seen !== undefined && ctx.clock.now().getTime() - seen.getTime() < grace;
  }

  return {
    async connected(userId, connectionId) {
      const { becameOnline } = await presence.connect(userId, connectionId, ctx.clock.now());
      if (!becameOnline) return;
      // Back within the grace period: friends never heard the user was gone.
      if (cancelPending(userId)) return;
      // The same, when the user left through another node: its timer finds the user online again
      // (presence is shared) and stays silent, so this node must not announce a return either.
      if (await leftWithinGrace(userId)) return;
      const user = await store.users.getById(userId);
      if (user && !user.privacy.showOnline) return;
      await broadcast(userId, { status: 'online' });
    },

    async privacyChanged(user, before) {
      const after = user.privacy;
      if (after.showOnline === before.showOnline) return;
      if (!(await presence.isOnline(user.id))) return;
      // Hiding "online" while connected looks like leaving; showing it again like coming back.
      await broadcast(user.id, after.showOnline ? { status: 'online' } : offlinePayload(after, null));
    },

    async disconnected(userId, connectionId) {
      const at = ctx.clock.now();
      const { becameOffline } = await presence.disconnect(userId, connectionId, at);
      if (!becameOffline || closed) return;
      cancelPending(userId);
      const grace = ctx.config.presenceGraceMs;
      if (grace === 0) {
        await goOffline(userId, at);
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(userId);
        goOffline(userId, at).catch((error: unknown) => {
          ctx.logger.error({ err: error, userId }, 'offline broadcast failed');
        });
      }, grace);
      timer.unref?.();
      pending.set(userId, timer);
    },

    async typing(userId, input, origin) {
      const parsed = parseInput(typingSchema, input);
      if ('to' in parsed) {
        if (parsed.to === userId) {
          throw new ChatError('VALIDATION_FAILED', 'You cannot type to yourself', {
            details: { fields: { to: 'must not be yourself' } },
          });
        }
        // Typing follows the rules of a private message: no typing where no message may go.
        await requirePrivatePeer(ctx, userId, parsed.to);
        ctx.emit('typing_status_update', { from: userId, isTyping: parsed.isTyping }, { users: [parsed.to] });
        return;
      }
      const { group } = await requireGroupMember(ctx, userId, parsed.groupId);
      ctx.emit(
        'typing_status_update',
        { from: userId, isTyping: parsed.isTyping, groupId: group.id },
        { groups: [group.id], exceptConnection: origin?.connectionId },
      );
    },

    async statusOf(userIds) {
      const ids = [...new Set(userIds)];
      const result = new Map<string, { online: boolean; lastSeenAt: Date | null }>();
      if (ids.length === 0) return result;
      const [online, seen, users] = await Promise.all([
        presence.onlineAmong(ids),
        presence.lastSeen(ids),
        store.users.getByIds(ids),
      ]);
      // Presence only remembers this process's disconnects; the stored lastSeenAt covers the rest.
      const byId = new Map(users.map((u) => [u.id, u]));
      for (const id of ids) {
        const user = byId.get(id);
        result.set(
          id,
          visiblePresence(user?.privacy, online.has(id), seen.get(id) ?? user?.lastSeenAt ?? null),
        );
      }
      return result;
    },

    close() {
      closed = true;
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}
