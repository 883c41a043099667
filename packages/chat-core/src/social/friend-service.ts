/** Friend requests and friendships. */

import type { EngineContext } from '../context.js';
import { toFriendRequestView, toFriendView, toPublicUser, unknownUser } from '../domain/mappers.js';
import type { FriendRequestRecord, FriendshipRecord } from '../domain/records.js';
import type { FriendRequestView, FriendView, Paginated, PublicUser } from '../domain/views.js';
import { ChatError } from '../errors.js';
import { publicUserIn, publicUsersById } from '../identity/public-users.js';
import { visiblePresence } from '../privacy/visibility.js';
import { type PageInput, toPaginated } from '../util/pagination.js';
import { parseInput } from '../util/validate.js';
import { idSchema, listRequestsSchema, pageInputSchema, sendFriendRequestSchema } from './schemas.js';

/** `POST /api/friends/add`: the target by id or by email, with an optional greeting. */
export type SendFriendRequestInput = ({ userId: string } | { email: string }) & { message?: string };

/** Friend requests and friendships: `engine.friends`. */
export interface FriendService {
  /**
   * Sends a friend request (the target gets `friend_request`). Refused to oneself (VALIDATION_FAILED),
   * to a friend (ALREADY_FRIENDS), across a block (BLOCKED), to an unknown user (NOT_FOUND). A
   * second request while one is pending answers the pending one; a request to someone who already
   * asked makes both friends at once (answered with the accepted request and the friend).
   */
  sendRequest(
    userId: string,
    input: SendFriendRequestInput,
  ): Promise<{ request: FriendRequestView; friend?: FriendView }>;
  /** Pending requests, incoming (default) or outgoing, newest first. */
  listRequests(
    userId: string,
    input?: { direction?: 'incoming' | 'outgoing' } & PageInput,
  ): Promise<Paginated<FriendRequestView>>;
  /** The recipient accepts; the requester gets `friend_request_accepted`. */
  accept(userId: string, requestId: string): Promise<{ friend: FriendView }>;
  /** The recipient rejects; the requester gets `friend_request_rejected`. */
  reject(userId: string, requestId: string): Promise<void>;
  /** Friends with online state and last-seen time, oldest friendship first. */
  list(userId: string, input?: PageInput): Promise<Paginated<FriendView>>;
  /** Ends a friendship on both sides; the other gets `friend_removed`. NOT_FOUND when not friends. */
  remove(userId: string, friendId: string): Promise<void>;
}

/** Builds `engine.friends` over the engine's context. */
export function createFriendService(ctx: EngineContext): FriendService {
  const { store } = ctx;

  const publicUsers = (ids: Iterable<string>) => publicUsersById(store.users, ids);

  const requestView = (request: FriendRequestRecord, users: Map<string, PublicUser>): FriendRequestView =>
    toFriendRequestView(request, publicUserIn(users, request.fromId), publicUserIn(users, request.toId));

  /**
   * Friend views of a page of friendships: one users call, one presence read and one block check
   * for the page. A block either way keeps the friendship but shows no presence ("no presence
   * between them"): such a friend reads as offline, never seen.
   */
  const friendViews = async (userId: string, friendships: FriendshipRecord[]): Promise<FriendView[]> => {
    if (friendships.length === 0) return [];
    const ids = friendships.map((f) => f.friendId);
    const [users, online, seen, blocked] = await Promise.all([
      store.users.getByIds(ids),
      ctx.presence.onlineAmong(ids),
      ctx.presence.lastSeen(ids),
      store.social.filterBlockedEither(userId, ids),
    ]);
    const byId = new Map(users.map((u) => [u.id, u]));
    return friendships.map((f) => {
      const user = byId.get(f.friendId);
      const view = user ? toPublicUser(user) : unknownUser(f.friendId);
      if (blocked.has(f.friendId)) return toFriendView(f, view, false, null);
      const shown = visiblePresence(
        user?.privacy,
        online.has(f.friendId),
        seen.get(f.friendId) ?? user?.lastSeenAt ?? null,
      );
      return toFriendView(f, view, shown.online, shown.lastSeenAt);
    });
  };

  /** The recipient's pending request, or NOT_FOUND for anyone else (it does not reveal it exists). */
  const pendingFor = async (userId: string, requestId: unknown): Promise<FriendRequestRecord> => {
    const id = parseInput(idSchema, requestId);
    const request = await store.social.getRequest(id);
    if (!request || request.toId !== userId || request.status !== 'pending') {
      throw new ChatError('NOT_FOUND', 'Friend request not found');
    }
    return request;
  };

  const befriend = async (request: FriendRequestRecord, at: Date) => {
    const added = await store.social.addFriendship(request.fromId, request.toId, at);
    let friendship: FriendshipRecord = { userId: request.toId, friendId: request.fromId, since: at };
    if (!added) {
      // Already friends (a concurrent path got there first): show the friendship as stored.
      friendship = (await store.social.getRelation(request.toId, request.fromId)).friendship ?? friendship;
    }
    const [friend] = await friendViews(request.toId, [friendship]);
    return friend as FriendView;
  };

  return {
    async sendRequest(userId, input) {
      const parsed = parseInput(sendFriendRequestSchema, input);
      if ('userId' in parsed && parsed.userId === userId) {
        throw new ChatError('VALIDATION_FAILED', 'You cannot send a friend request to yourself', {
          details: { fields: { userId: 'is yourself' } },
        });
      }
      const target =
        'userId' in parsed
          ? await store.users.getById(parsed.userId)
          : await store.users.getByEmail(parsed.email);
      if (!target) throw new ChatError('NOT_FOUND', 'User not found');
      if (target.id === userId) {
        throw new ChatError('VALIDATION_FAILED', 'You cannot send a friend request to yourself', {
          details: { fields: { email: 'is yourself' } },
        });
      }
      const relation = await store.social.getRelation(userId, target.id);
      if (relation.aBlocksB || relation.bBlocksA) throw new ChatError('BLOCKED');
      if (relation.friendship) throw new ChatError('ALREADY_FRIENDS');

      const now = ctx.clock.now();
      const theirs = await store.social.getPendingRequest(target.id, userId);
      if (theirs) {
        // They already asked: this request answers theirs.
        const accepted = await store.social.resolveRequest(theirs.id, 'accepted', now);
        if (accepted) {
          const friend = await befriend(accepted, now);
          const users = await publicUsers([accepted.fromId, accepted.toId]);
          const view = requestView(accepted, users);
          ctx.emit('friend_request_accepted', view, { users: [accepted.fromId] });
          return { request: view, friend };
        }
      }

      const { request, created } = await store.social.createRequest({
        id: ctx.ids.next(),
        fromId: userId,
        toId: target.id,
        message: parsed.message ?? null,
        status: 'pending',
        createdAt: now,
        respondedAt: null,
      });
      const view = requestView(request, await publicUsers([request.fromId, request.toId]));
      if (created) ctx.emit('friend_request', view, { users: [request.toId] });
      return { request: view };
    },

    async listRequests(userId, input = {}) {
      const { direction, cursor, limit } = parseInput(listRequestsSchema, input);
      const page = await store.social.listPendingRequests(userId, direction, { cursor, limit });
      const users = await publicUsers(page.items.flatMap((r) => [r.fromId, r.toId]));
      return toPaginated(page, (r) => requestView(r, users));
    },

    async accept(userId, requestId) {
      const request = await pendingFor(userId, requestId);
      const relation = await store.social.getRelation(userId, request.fromId);
      if (relation.aBlocksB || relation.bBlocksA) throw new ChatError('BLOCKED');
      const now = ctx.clock.now();
      const accepted = await store.social.resolveRequest(request.id, 'accepted', now);
      if (!accepted) throw new ChatError('NOT_FOUND', 'Friend request not found');
      const friend = await befriend(accepted, now);
      const users = await publicUsers([accepted.fromId, accepted.toId]);
      ctx.emit('friend_request_accepted', requestView(accepted, users), { users: [accepted.fromId] });
      return { friend };
    },

    async reject(userId, requestId) {
      const request = await pendingFor(userId, requestId);
      const rejected = await store.social.resolveRequest(request.id, 'rejected', ctx.clock.now());
      if (!rejected) throw new ChatError('NOT_FOUND', 'Friend request not found');
      const users = await publicUsers([rejected.fromId, rejected.toId]);
      ctx.emit('friend_request_rejected', requestView(rejected, users), { users: [rejected.fromId] });
    },

    async list(userId, input = {}) {
      const { cursor, limit } = parseInput(pageInputSchema, input);
      const page = await store.social.listFriends(userId, { cursor, limit });
      const views = await friendViews(userId, page.items);
      return { items: views, hasMore: page.hasMore, nextCursor: page.nextCursor };
    },

    async remove(userId, friendId) {
      const id = parseInput(idSchema, friendId);
      if (!(await store.social.removeFriendship(userId, id))) {
        throw new ChatError('NOT_FOUND', 'Not friends with this user');
      }
      const users = await publicUsers([userId]);
      ctx.emit('friend_removed', { userId, user: publicUserIn(users, userId) }, { users: [id] });
    },
  };
}
