/** The blacklist: who a user has blocked. */
import type { EngineContext } from '../context.js';
import type { Paginated, PublicUser } from '../domain/views.js';
import { ChatError } from '../errors.js';
import { publicUserIn, publicUsersById } from '../identity/public-users.js';
import { type PageInput, toPaginated } from '../util/pagination.js';
import { parseInput } from '../util/validate.js';
import { idSchema, pageInputSchema, targetUserSchema } from './schemas.js';

/** The blacklist: `engine.blacklist`. */
export interface BlacklistService {
  /** Users the caller has blocked, newest first. */
  list(userId: string, input?: PageInput): Promise<Paginated<PublicUser>>;
  /** Blocks a user; pending friend requests between the two are dropped. Idempotent. */
  add(userId: string, input: { userId: string }): Promise<void>;
  /** Lifts a block. NOT_FOUND when there was none. */
  remove(userId: string, blockedId: string): Promise<void>;
}

/** Builds `engine.blacklist` over the engine's context. */
export function createBlacklistService(ctx: EngineContext): BlacklistService {
  const { store } = ctx;
  return {
    async list(userId, input = {}) {
      const { cursor, limit } = parseInput(pageInputSchema, input);
      const page = await store.social.listBlocks(userId, { cursor, limit });
      const users = await publicUsersById(
        store.users,
        page.items.map((b) => b.blockedId),
      );
      return toPaginated(page, (b) => publicUserIn(users, b.blockedId));
    },

    async add(userId, input) {
      const { userId: blockedId } = parseInput(targetUserSchema, input);
      if (blockedId === userId) {
        throw new ChatError('VALIDATION_FAILED', 'You cannot block yourself', {
          details: { fields: { userId: 'is yourself' } },
        });
      }
      if (!(await store.users.getById(blockedId))) throw new ChatError('NOT_FOUND', 'User not found');
      await store.social.addBlock({ blockerId: userId, blockedId, createdAt: ctx.clock.now() });
      // After the block is in place, so no request can slip in between; accept re-checks blocks.
      await store.social.deletePendingBetween(userId, blockedId);
    },

    async remove(userId, blockedId) {
      const id = parseInput(idSchema, blockedId);
      if (!(await store.social.removeBlock(userId, id))) {
        throw new ChatError('NOT_FOUND', 'This user is not blocked');
      }
    },
  };
}
