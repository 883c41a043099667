/** The blacklist: who a user has blocked. */
import type { EngineContext } from '../context.js';
import type { Paginated, PublicUser } from '../domain/views.js';
import { notImplemented } from '../util/not-implemented.js';
import type { PageInput } from '../util/pagination.js';

export interface BlacklistService {
  /** Users the caller has blocked, newest first. */
  list(userId: string, input?: PageInput): Promise<Paginated<PublicUser>>;
  /** Blocks a user; pending friend requests between the two are dropped. Idempotent. */
  add(userId: string, input: { userId: string }): Promise<void>;
  /** Lifts a block. NOT_FOUND when there was none. */
  remove(userId: string, blockedId: string): Promise<void>;
}

export function createBlacklistService(_ctx: EngineContext): BlacklistService {
  return {
    list: () => notImplemented('blacklist.list'),
    add: () => notImplemented('blacklist.add'),
    remove: () => notImplemented('blacklist.remove'),
  };
}
