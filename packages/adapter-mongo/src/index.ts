/**
 * `@parley/adapter-mongo`: Parley's storage port on MongoDB with Mongoose 8.
 *
 * ```ts
 * const store = mongoStore({ uri: process.env.MONGODB_URI! });          // own connection, lazy
 * const store = mongoStore({ connection: mongoose.connection });        // the host's connection
 * const engine = createChatEngine({ store, config });
 * ```
 */
import { ChatError, type ChatStore, type StoreCapabilities } from '@parley/chat-core';
import type mongoose from 'mongoose';
import { mongoAuthTokenStore } from './auth-tokens.js';
import { connectionManager } from './connection.js';
import { guard } from './errors.js';
import { mongoGroupStore } from './groups.js';
import { mongoMessageStore } from './messages.js';
import { mongoOutboxStore } from './outbox.js';
import { mongoPushSubscriptionStore } from './push-subscriptions.js';
import { mongoSessionStore } from './sessions.js';
import { mongoSocialStore } from './social.js';
import { mongoUserStore } from './users.js';

/** Options shared by both ways of connecting. */
export interface MongoStoreCommonOptions {
  /**
   * Prefix of every collection name (`parley_users`, `parley_messages` …), so Parley's collections
   * sit next to the host's own.
   * @default 'parley_'
   */
  collectionPrefix?: string;
  /**
   * Create the indexes (unique keys, TTLs) on first use. Turn off only when they are managed
   * elsewhere: uniqueness, idempotency and capacity rely on them.
   * @default true
   */
  autoIndex?: boolean;
  /**
   * Run multi-document writes in transactions: `'auto'` uses them when the server is a replica
   * set or mongos (Atlas always is); `true` insists (fails on a standalone server); `false`
   * never does (the claim-first scheme keeps `clientMsgId` idempotent, see the README).
   * @default 'auto'
   */
  useTransactions?: boolean | 'auto';
  /**
   * How long `ping()` waits for the server before rejecting with STORE_UNAVAILABLE.
   * @default 2000
   */
  pingTimeoutMS?: number;
}

/** Connect with a URI: the store opens its own connection on first use and `close()` closes it. */
export interface MongoStoreUriOptions extends MongoStoreCommonOptions {
  /** A MongoDB connection string, e.g. `mongodb+srv://user:pass@cluster0.example.net/`. */
  uri: string;
  /** Database name; defaults to the one in the URI (else `test`, the driver's default). */
  dbName?: string;
  /**
   * Passed to `mongoose.createConnection`. The store sets `bufferCommands: false` and, unless the
   * URI or these options say otherwise, `serverSelectionTimeoutMS: 5000`, so a lost database
   * fails fast with STORE_UNAVAILABLE instead of hanging.
   */
  connectOptions?: mongoose.ConnectOptions;
  connection?: never;
}

/** Use a connection the host already has; the store never closes it. */
export interface MongoStoreConnectionOptions extends MongoStoreCommonOptions {
  connection: mongoose.Connection;
  uri?: never;
  dbName?: never;
  connectOptions?: never;
}

/** Options of {@link mongoStore}. */
export type MongoStoreOptions = MongoStoreUriOptions | MongoStoreConnectionOptions;

/**
 * Creates the MongoDB store. Nothing is opened until the first call; `capabilities.transactions`
 * reads false until then and afterwards says whether transactions are in use.
 */
export function mongoStore(options: MongoStoreOptions): ChatStore {
  const manager = connectionManager({
    ...(options.connection ? { connection: options.connection } : { uri: options.uri }),
    ...(options.dbName === undefined ? {} : { dbName: options.dbName }),
    ...(options.connectOptions === undefined ? {} : { connectOptions: options.connectOptions }),
    collectionPrefix: options.collectionPrefix ?? 'parley_',
    autoIndex: options.autoIndex ?? true,
    useTransactions: options.useTransactions ?? 'auto',
  });
  const ready = () => manager.ready();
  const pingTimeoutMS = options.pingTimeoutMS ?? 2000;

  const capabilities: StoreCapabilities = {
    get transactions() {
      return manager.transactions;
    },
    persistent: true,
  };

  return {
    name: 'mongo',
    capabilities,
    users: mongoUserStore(ready),
    authTokens: mongoAuthTokenStore(ready),
    social: mongoSocialStore(ready),
    messages: mongoMessageStore(ready),
    groups: mongoGroupStore(ready),
    sessions: mongoSessionStore(ready),
    pushSubscriptions: mongoPushSubscriptionStore(ready),
    outbox: mongoOutboxStore(ready),
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ChatError('STORE_UNAVAILABLE', 'MongoDB did not answer the ping in time')),
          pingTimeoutMS,
        );
      });
      const attempt = guard(async () => {
        const { connection } = await ready();
        if (!connection.db) throw new ChatError('STORE_UNAVAILABLE', 'The MongoDB connection is not open');
        await connection.db.command({ ping: 1 });
      });
      try {
        await Promise.race([attempt, timeout]);
      } finally {
        clearTimeout(timer);
        attempt.catch(() => {});
      }
    },
    close: () => manager.close(),
  };
}

export {
  duplicateKeyFields,
  isDuplicateKeyError,
  isUnavailableError,
  type StoreErrorOptions,
  toStoreError,
} from './errors.js';
export { fromStoredId, isObjectIdHex, type StoredId, toObjectId, toStoredId } from './ids.js';
export { type CollectionName as MongoCollectionName, SCHEMAS as MONGO_SCHEMAS } from './schemas/index.js';
