/**
 * `memoryStore()`: the reference implementation of the storage port, the zero-config default, and
 * the store apps use in their own tests. Every index is a Map, so no hot path scans.
 */
import type { ChatStore } from '../../ports/store.js';
import { memoryAuthTokenStore } from './auth-tokens.js';
import { memoryGroupStore } from './groups.js';
import { memoryMessageStore } from './messages.js';
import { memoryOutboxStore } from './outbox.js';
import { memoryPushSubscriptionStore } from './push-subscriptions.js';
import { memorySessionStore } from './sessions.js';
import { memorySocialStore } from './social.js';
import { memoryUserStore } from './users.js';

/** Creates an empty in-memory store. Nothing survives the process. */
export function memoryStore(): ChatStore {
  return {
    name: 'memory',
    capabilities: { transactions: true, persistent: false },
    users: memoryUserStore(),
    authTokens: memoryAuthTokenStore(),
    social: memorySocialStore(),
    messages: memoryMessageStore(),
    groups: memoryGroupStore(),
    sessions: memorySessionStore(),
    pushSubscriptions: memoryPushSubscriptionStore(),
    outbox: memoryOutboxStore(),
    async ping() {},
    async close() {},
  };
}
