/**
 * The adapter's connection: its own (from a URI, opened lazily on first use, closed by `close()`)
 * or the host's (used as is, never closed). Both get the models of every collection compiled on
 * first use, their indexes ensured when `autoIndex` is on, and transactions detected.
 */
import { ChatError } from '@parley/chat-core';
import mongoose, { type ClientSession, type Connection, type Model } from 'mongoose';
import { guard } from './errors.js';
import { type CollectionName, SCHEMAS } from './schemas/index.js';

/** The models of every collection, on one connection. */
export type Models = { [K in CollectionName]: Model<Record<string, unknown>> };

/** What every area of the store runs against once the connection is ready. */
export interface Handle {
  connection: Connection;
  models: Models;
  /** True when multi-document writes run in transactions. */
  transactions: boolean;
}

/** Options of the connection, as given to `mongoStore()`. */
export interface ConnectionSettings {
  uri?: string;
  dbName?: string;
  connectOptions?: mongoose.ConnectOptions;
  connection?: Connection;
  collectionPrefix: string;
  autoIndex: boolean;
  useTransactions: boolean | 'auto';
}

/** Default server selection timeout: how long an operation waits for a lost database. */
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5000;

/** The lazily opened connection, its models and its lifecycle. */
export interface ConnectionManager {
  /** Opens (first call) and answers the ready handle; rejects with STORE_UNAVAILABLE when down. */
  ready(): Promise<Handle>;
  /** Whether a connection has been opened (or is being opened) by this manager. */
  readonly opened: boolean;
  /** Whether transactions are in use (known after the first `ready()`). */
  readonly transactions: boolean;
  /** Closes what the manager opened itself; safe to call twice. */
  close(): Promise<void>;
}

function hasOption(uri: string, name: string): boolean {
  const query = uri.split('?')[1] ?? '';
  return query.split('&').some((pair) => pair.split('=')[0]?.toLowerCase() === name.toLowerCase());
}

/** Compiles (or reuses) the models of every collection on `connection`. */
export function buildModels(connection: Connection, prefix: string): Models {
  const models = {} as Record<CollectionName, Model<Record<string, unknown>>>;
  for (const [name, schema] of Object.entries(SCHEMAS) as Array<
    [CollectionName, (typeof SCHEMAS)[CollectionName]]
  >) {
    const collection = `${prefix}${name}`;
    const existing = connection.models[collection] as Model<Record<string, unknown>> | undefined;
    models[name] =
      existing ??
      (connection.model(collection, schema as mongoose.Schema, collection) as Model<Record<string, unknown>>);
  }
  return models;
}

/** Whether the server is a replica set member or a mongos, the deployments that run transactions. */
async function supportsTransactions(connection: Connection): Promise<boolean> {
  const db = connection.db;
  if (!db) return false;
  // `hello` since MongoDB 4.4.2 (5.0); older servers answer the legacy `isMaster` instead.
  const hello = (await db
    .admin()
    .command({ hello: 1 })
    .catch(() => db.admin().command({ isMaster: 1 }))) as { setName?: unknown; msg?: unknown };
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}

export function connectionManager(settings: ConnectionSettings): ConnectionManager {
  let own: Connection | null = null;
  let pending: Promise<Handle> | null = null;
  let transactions = false;
  let closed = false;

  async function openOwn(): Promise<Connection> {
    const uri = settings.uri ?? '';
    const options: mongoose.ConnectOptions = {
      // Fail fast instead of queueing commands while the database is away.
      bufferCommands: false,
      autoIndex: false,
      autoCreate: false,
      ...(hasOption(uri, 'serverSelectionTimeoutMS')
        ? {}
        : { serverSelectionTimeoutMS: DEFAULT_SERVER_SELECTION_TIMEOUT_MS }),
      ...(settings.dbName === undefined ? {} : { dbName: settings.dbName }),
      ...settings.connectOptions,
    };
    // Never the global default connection: the host's own Mongoose use stays untouched.
    const connection = mongoose.createConnection(uri, options);
    own = connection;
    // The connection is ours: its queries sanitize filters against selector injection.
    connection.set('sanitizeFilter', true);
    // Errors after the initial connect surface on operations; an unhandled 'error' event must not crash.
    connection.on('error', () => {});
    try {
      await connection.asPromise();
    } catch (error) {
      own = null;
      await connection.close(true).catch(() => {});
      throw error;
    }
    return connection;
  }

  async function open(): Promise<Handle> {
    let connection: Connection;
    if (settings.connection) {
      connection = settings.connection;
      if (connection.readyState !== mongoose.ConnectionStates.connected) await connection.asPromise();
      if (connection.readyState !== mongoose.ConnectionStates.connected || !connection.db) {
        throw new ChatError('STORE_UNAVAILABLE', 'The MongoDB connection is not open');
      }
    } else {
      connection = await openOwn();
    }
    const models = buildModels(connection, settings.collectionPrefix);
    if (settings.autoIndex) {
      await Promise.all(Object.values(models).map((model) => model.createIndexes()));
    }
    transactions =
      settings.useTransactions === 'auto' ? await supportsTransactions(connection) : settings.useTransactions;
    return { connection, models, transactions };
  }

  return {
    get opened() {
      return own !== null;
    },
    get transactions() {
      return transactions;
    },
    ready() {
      if (closed) {
        return Promise.reject(new ChatError('STORE_UNAVAILABLE', 'The store has been closed'));
      }
      if (!pending) {
        pending = guard(open);
        // A failed open is retried by the next call (the database may be back by then).
        pending.catch(() => {
          pending = null;
        });
      }
      return pending;
    },
    async close() {
      if (closed) return;
      closed = true;
      const opening = pending;
      pending = null;
      if (opening) await opening.catch(() => {});
      const connection = own;
      own = null;
      if (connection) await connection.close();
    },
  };
}

/**
 * Runs `fn` in a transaction when the handle uses them (retried by the driver on transient
 * errors), otherwise once without a session.
 */
export async function inTransaction<T>(
  handle: Handle,
  fn: (session: ClientSession | undefined) => Promise<T>,
): Promise<T> {
  if (!handle.transactions) return fn(undefined);
  return handle.connection.transaction((session) => fn(session));
}
