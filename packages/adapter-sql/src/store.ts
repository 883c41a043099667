/**
 * One store over either dialect: the Kysely instance is built at once (it connects nothing),
 * the database is opened and migrated on the first call, and `close()` destroys only what the
 * store opened itself.
 */
import { ChatError, type ChatStore } from '@parley/chat-core';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { sqlAuthTokenStore } from './auth-tokens.js';
import { codecFor, type DialectName } from './codec.js';
import type { Database } from './database.js';
import { guard } from './errors.js';
import { sqlGroupStore } from './groups.js';
import type { SqlHandle } from './handle.js';
import { sqlMessageStore } from './messages.js';
import { migrateToLatest } from './migrate.js';
import { sqlOutboxStore } from './outbox.js';
import { sqlPushSubscriptionStore } from './push-subscriptions.js';
import { sqlSessionStore } from './sessions.js';
import { sqlSocialStore } from './social.js';
import type { SqliteHotPath } from './sqlite-hot-path.js';
import { sqlUserStore } from './users.js';

export interface SqlStoreSettings {
  name: 'sqlite' | 'postgres';
  dialect: DialectName;
  db: Kysely<Database>;
  persistent: boolean;
  /** Run migrations on first use. */
  migrate: boolean;
  pingTimeoutMs: number;
  /** Releases what the store opened itself (destroying the Kysely instance), or nothing. */
  release: () => Promise<void>;
  /**
   * SQLite: builds the hot path once the database is open and migrated (see `SqlHandle.sqlite`);
   * undefined means none (PostgreSQL, or a database better-sqlite3 does not back).
   */
  sqliteHotPath?: () => Promise<SqliteHotPath | undefined>;
}

/** A ChatStore over SQL, plus the Kysely instance (for probes, tests and the host's own use). */
export interface SqlChatStore extends ChatStore {
  readonly name: 'sqlite' | 'postgres';
  /** The store's Kysely instance; queries on it run after the same lazy open (see `ready`). */
  readonly db: Kysely<Database>;
  /** Opens and migrates the database (what the first call of any method does). */
  ready(): Promise<void>;
}

export function createSqlStore(settings: SqlStoreSettings): SqlChatStore {
  const codec = codecFor(settings.dialect);
  const base: SqlHandle = { db: settings.db, codec };
  let pending: Promise<SqlHandle> | null = null;
  let closed = false;

  const ready = (): Promise<SqlHandle> => {
    if (closed) return Promise.reject(new ChatError('STORE_UNAVAILABLE', 'The store has been closed'));
    if (!pending) {
      pending = guard(async () => {
        if (settings.migrate) await migrateToLatest(settings.db, settings.dialect);
        const sqlite = await settings.sqliteHotPath?.();
        return sqlite ? { ...base, sqlite } : base;
      });
      // A failed open is retried by the next call (the database may be back by then).
      pending.catch(() => {
        pending = null;
      });
    }
    return pending;
  };

  return {
    name: settings.name,
    capabilities: { transactions: true, persistent: settings.persistent },
    db: settings.db,
    users: sqlUserStore(ready),
    authTokens: sqlAuthTokenStore(ready),
    social: sqlSocialStore(ready),
    messages: sqlMessageStore(ready),
    groups: sqlGroupStore(ready),
    sessions: sqlSessionStore(ready),
    pushSubscriptions: sqlPushSubscriptionStore(ready),
    outbox: sqlOutboxStore(ready),
    async ready() {
      await ready();
    },
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new ChatError('STORE_UNAVAILABLE', `${settings.name} did not answer the ping in time`)),
          settings.pingTimeoutMs,
        );
      });
      const attempt = guard(async () => {
        const { db } = await ready();
        await sql`select 1`.execute(db);
      });
      try {
        await Promise.race([attempt, timeout]);
      } finally {
        clearTimeout(timer);
        attempt.catch(() => {});
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const opening = pending;
      pending = null;
      if (opening) await opening.catch(() => {});
      await settings.release();
    },
  };
}
