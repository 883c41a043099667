/** Friend requests and friendships. */
import type { EngineContext } from '../context.js';
import type { FriendRequestView, FriendView, Paginated } from '../domain/views.js';
import { notImplemented } from '../util/not-implemented.js';
import type { PageInput } from '../util/pagination.js';

export type SendFriendRequestInput = ({ userId: string } | { email: string }) & { message?: string };

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

export function createFriendService(_ctx: EngineContext): FriendService {
  return {
    sendRequest: () => notImplemented('friends.sendRequest'),
    listRequests: () => notImplemented('friends.listRequests'),
    accept: () => notImplemented('friends.accept'),
    reject: () => notImplemented('friends.reject'),
    list: () => notImplemented('friends.list'),
    remove: () => notImplemented('friends.remove'),
  };
}
