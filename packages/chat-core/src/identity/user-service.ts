/** Profiles: one's own (private view) and other people's (public view), and user search. */
import type { EngineContext } from '../context.js';
import { toPrivateUser, toPublicUser } from '../domain/mappers.js';
import type { PrivacySettings, UserRecord } from '../domain/records.js';
import type { Paginated, PrivateUser, PublicUser } from '../domain/views.js';
import { ChatError } from '../errors.js';
import type { UserPatch } from '../ports/store.js';
import { idSchema, parseInput } from '../util/validate.js';
import { emailSchema, searchSchema, updateProfileSchema, updateSettingsSchema } from './schemas.js';

/** `PUT /api/users/me`: each field left out stays as it is; `null` or `''` clears avatar/bio. */
export interface UpdateProfileInput {
  nickname?: string;
  avatarUrl?: string | null;
  bio?: string | null;
}

/** `PUT /api/users/me/settings`: each setting left out stays as it is. */
export type UpdateSettingsInput = Partial<PrivacySettings>;

/** Told when a user's privacy changed, so presence can follow at once. */
export type PrivacyListener = (user: UserRecord, before: PrivacySettings) => Promise<void>;

/** Profiles and user search: `engine.users`. */
export interface UserService {
  /** The caller's private view. NOT_FOUND when the account is gone. */
  getMe(userId: string): Promise<PrivateUser>;
  /** Updates nickname, avatar or bio; friends get `user_updated`. */
  updateMe(userId: string, input: UpdateProfileInput): Promise<PrivateUser>;
  /**
   * Changes privacy and notification settings (`showLastSeen`, `showOnline`, `sendReadReceipts`,
   * `pushPreviews`); answers the private view. Friends see the change at once: hiding "online"
   * while connected looks like going offline to them, showing it again like coming back.
   */
  updateSettings(userId: string, input: UpdateSettingsInput): Promise<PrivateUser>;
  /** A public profile; NOT_FOUND when unknown or when that user has blocked the viewer. */
  getProfile(viewerId: string, userId: string): Promise<PublicUser>;
  /**
   * Exact email match or nickname prefix (ordered by nickname), leaving out the viewer and users
   * blocked either way. `limit` 1 to 100, default 50. VALIDATION_FAILED for an empty query.
   */
  search(viewerId: string, input: { q: string; limit?: number }): Promise<PublicUser[]>;
  /**
   * {@link search} with `hasMore`: true when more users match than the page shows. A search is
   * narrowed by typing more, not paged, so `nextCursor` is always null.
   */
  searchPage(viewerId: string, input: { q: string; limit?: number }): Promise<Paginated<PublicUser>>;
}

/** Builds `engine.users` over the engine's context. */
export function createUserService(ctx: EngineContext, onPrivacyChanged?: PrivacyListener): UserService {
  const { store, config } = ctx;
  const privateView = (user: UserRecord) => toPrivateUser(user, config.privateMessagePolicy);

  const me = async (userId: string): Promise<UserRecord> => {
    const user = await store.users.getById(userId);
    if (!user) throw new ChatError('NOT_FOUND', 'User not found');
    return user;
  };

  async function searchPage(
    viewerId: string,
    input: { q: string; limit?: number },
  ): Promise<Paginated<PublicUser>> {
    const { q, limit } = parseInput(searchSchema, input);
    let candidates: UserRecord[];
    const asEmail = q.includes('@') ? emailSchema.safeParse(q) : null;
    if (asEmail?.success) {
      const user = await store.users.getByEmail(asEmail.data);
      candidates = user ? [user] : [];
    } else {
      // Ask for more than the limit: the viewer and blocked users are filtered out after, and one
      // more visible match than the page tells `hasMore`.
      candidates = await store.users.searchByNicknamePrefix(q, limit * 2 + 1);
    }
    candidates = candidates.filter((u) => u.id !== viewerId);
    if (candidates.length === 0) return { items: [], hasMore: false, nextCursor: null };
    const hidden = await store.social.filterBlockedEither(
      viewerId,
      candidates.map((u) => u.id),
    );
    const visible = candidates.filter((u) => !hidden.has(u.id));
    return {
      items: visible.slice(0, limit).map(toPublicUser),
      hasMore: visible.length > limit,
      nextCursor: null,
    };
  }

  return {
    async getMe(userId) {
      return privateView(await me(userId));
    },

    async updateMe(userId, input) {
      const parsed = parseInput(updateProfileSchema, input);
      const current = await me(userId);
      const patch: UserPatch = {};
      if (parsed.nickname !== undefined && parsed.nickname !== current.nickname)
        patch.nickname = parsed.nickname;
      if (parsed.avatarUrl !== undefined && parsed.avatarUrl !== current.avatarUrl) {
        patch.avatarUrl = parsed.avatarUrl;
      }
      if (parsed.bio !== undefined && parsed.bio !== current.bio) patch.bio = parsed.bio;
      // Nothing changes: nothing is written and nobody is told.
      if (Object.keys(patch).length === 0) return privateView(current);
      patch.updatedAt = ctx.clock.now();
      const updated = await store.users.update(userId, patch);
      if (!updated) throw new ChatError('NOT_FOUND', 'User not found');
      const friendIds = await store.social.listFriendIds(userId);
      ctx.emit('user_updated', toPublicUser(updated), { users: [userId, ...friendIds] });
      return privateView(updated);
    },

    async updateSettings(userId, input) {
      const parsed = parseInput(updateSettingsSchema, input);
      const current = await me(userId);
      const privacy: PrivacySettings = { ...current.privacy };
      for (const key of Object.keys(parsed) as (keyof PrivacySettings)[]) {
        const value = parsed[key];
        if (value !== undefined) privacy[key] = value;
      }
      if (
        (Object.keys(privacy) as (keyof PrivacySettings)[]).every((k) => privacy[k] === current.privacy[k])
      ) {
        return privateView(current);
      }
      const updated = await store.users.update(userId, { privacy, updatedAt: ctx.clock.now() });
      if (!updated) throw new ChatError('NOT_FOUND', 'User not found');
      await onPrivacyChanged?.(updated, current.privacy);
      return privateView(updated);
    },

    async getProfile(viewerId, userId) {
      const id = parseInput(idSchema, userId);
      const user = await store.users.getById(id);
      if (!user) throw new ChatError('NOT_FOUND', 'User not found');
      if (id !== viewerId) {
        const relation = await store.social.getRelation(viewerId, id);
        // Someone who blocked you is invisible to you: the same answer as an unknown user.
        if (relation.bBlocksA) throw new ChatError('NOT_FOUND', 'User not found');
      }
      return toPublicUser(user);
    },

    async search(viewerId, input) {
      return (await searchPage(viewerId, input)).items;
    },

    searchPage,
  };
}
