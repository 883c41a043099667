/** Who is online, and typing: relayed, never stored. */
import type { EngineContext } from '../context.js';
import { notImplemented } from '../util/not-implemented.js';

export type TypingInput = { to: string; isTyping: boolean } | { groupId: string; isTyping: boolean };

export interface PresenceService {
  /**
   * A connection of the user opened. On the user's first connection their friends (never across a
   * block) get `user_presence` online.
   */
  connected(userId: string, connectionId: string): Promise<void>;
  /**
   * A connection closed. When it was the last one, friends get `user_presence` offline with
   * `lastSeenAt` after the configured grace, unless the user came back within it.
   */
  disconnected(userId: string, connectionId: string): Promise<void>;
  /** Relays typing to a user (not across a block) or a group's other members (members only). */
  typing(userId: string, input: TypingInput): Promise<void>;
  /** Online state and last-seen time of these users. */
  statusOf(userIds: readonly string[]): Promise<Map<string, { online: boolean; lastSeenAt: Date | null }>>;
  /** Cancels pending offline broadcasts (engine shutdown). */
  close(): void;
}

export function createPresenceService(_ctx: EngineContext): PresenceService {
  return {
    connected: () => notImplemented('presence.connected'),
    disconnected: () => notImplemented('presence.disconnected'),
    typing: () => notImplemented('presence.typing'),
    statusOf: () => notImplemented('presence.statusOf'),
    close: () => {},
  };
}
