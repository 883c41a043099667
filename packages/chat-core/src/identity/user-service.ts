/** Profiles: one's own (private view) and other people's (public view), and user search. */
import type { EngineContext } from '../context.js';
import type { PrivateUser, PublicUser } from '../domain/views.js';
import { notImplemented } from '../util/not-implemented.js';

export interface UpdateProfileInput {
  nickname?: string;
  avatarUrl?: string | null;
  bio?: string | null;
}

export interface UserService {
  /** The caller's private view. NOT_FOUND when the account is gone. */
  getMe(userId: string): Promise<PrivateUser>;
  /** Updates nickname, avatar or bio; friends get `user_updated`. */
  updateMe(userId: string, input: UpdateProfileInput): Promise<PrivateUser>;
  /** A public profile; NOT_FOUND when unknown or when that user has blocked the viewer. */
  getProfile(viewerId: string, userId: string): Promise<PublicUser>;
  /**
   * Exact email match or nickname prefix, leaving out the viewer and users blocked either way.
   * VALIDATION_FAILED for an empty query.
   */
  search(viewerId: string, input: { q: string; limit?: number }): Promise<PublicUser[]>;
}

export function createUserService(_ctx: EngineContext): UserService {
  return {
    getMe: () => notImplemented('users.getMe'),
    updateMe: () => notImplemented('users.updateMe'),
    getProfile: () => notImplemented('users.getProfile'),
    search: () => notImplemented('users.search'),
  };
}
