/**
 * Gap filling by seq and by version: `sync { conversationId, afterSeq, afterVersion }` from the seq
 * and the change counter the client holds, page by page while `hasMore`. One sync per conversation at a time; a request while one runs makes it
 * run once more, so a gap seen mid-sync is never left open.
 */
import type { MessageView, SyncInput, SyncPage } from '@parley/chat-core';
import type { ConversationViewState } from '../store/conversation-view.js';

/** What the syncer needs. */
export interface ConversationSyncDeps {
  request(payload: SyncInput): Promise<SyncPage>;
  viewOf(conversationId: string): ConversationViewState;
  apply(messages: readonly MessageView[]): void;
  /** @default 100 */
  pageSize?: number;
}

/** Syncs conversations. */
export interface ConversationSync {
  /** Fetches everything after the held seq; resolves when caught up, rejects when a page failed. */
  sync(conversationId: string): Promise<number>;
}

/** Creates a {@link ConversationSync}. */
export function createConversationSync(deps: ConversationSyncDeps): ConversationSync {
  const limit = deps.pageSize ?? 100;
  const running = new Map<string, Promise<number>>();
  const again = new Set<string>();

  const catchUp = async (conversationId: string): Promise<number> => {
    let fetched = 0;
    for (;;) {
      const view = deps.viewOf(conversationId);
      const afterSeq = view.heldSeq;
      const afterVersion = view.heldVersion;
      const page = await deps.request({ conversationId, afterSeq, afterVersion, limit });
      deps.apply(page.messages);
      // Changes to older messages (recalls, edits, reactions, pins) made while this client was away.
      deps.apply(page.changed ?? []);
      view.synced(afterSeq, page.messages);
      if (typeof page.version === 'number') view.versionSynced(page.version);
      fetched += page.messages.length + (page.changed?.length ?? 0);
      // No progress means the server has nothing more for us, whatever hasMore says.
      const progressed = view.heldSeq > afterSeq || view.heldVersion > afterVersion;
      if (!page.hasMore || !progressed) return fetched;
    }
  };

  return {
    sync(conversationId) {
      const current = running.get(conversationId);
      if (current) {
        again.add(conversationId);
        return current;
      }
      const run = (async () => {
        let total = 0;
        do {
          again.delete(conversationId);
          total += await catchUp(conversationId);
        } while (again.has(conversationId));
        return total;
      })().finally(() => {
        running.delete(conversationId);
        again.delete(conversationId);
      });
      running.set(conversationId, run);
      return run;
    },
  };
}
