/**
 * Where the host keeps its data, as the contract's v2 table says: `DATABASE_URL` → PostgreSQL,
 * `MONGODB_URI` → MongoDB (both set is a configuration error, see env.ts), neither → SQLite in
 * `DATA_DIR` (file `parley.db`), `STORE=memory` → in memory, only when asked. Adapters are loaded
 * with a dynamic import, so a server never loads the drivers it does not use.
 *
 * Without `JWT_SECRET` (development only), the generated secret is kept in `DATA_DIR/jwt-secret`
 * (mode 0600), so tokens survive a restart as the data does; with the memory store nothing
 * survives, so the random secret of the configuration is kept.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type ChatStore, memoryStore } from '@parley/chat-core';
import type { Logger } from 'pino';
import type { HostConfig } from './env.js';

/** The kinds of store the host can choose; also each store's `name` and what `/health` reports. */
export type StoreKind = 'postgres' | 'mongo' | 'sqlite' | 'memory';

/** The store the configuration asks for, and the JWT secret to use with it. */
export interface ChosenStore {
  store: ChatStore;
  kind: StoreKind;
  /** The persisted development secret, or null to keep the configuration's. */
  jwtSecret: string | null;
}

/** File names inside `DATA_DIR`. */
export const DATA_FILES = { database: 'parley.db', jwtSecret: 'jwt-secret' } as const;

/** Which store the configuration selects (env.ts has already refused contradictory settings). */
export function storeKindOf(config: Pick<HostConfig, 'store' | 'databaseUrl' | 'mongodbUri'>): StoreKind {
  if (config.store === 'memory') return 'memory';
  if (config.databaseUrl) return 'postgres';
  if (config.mongodbUri) return 'mongo';
  return 'sqlite';
}

/**
 * `DATA_DIR` as an absolute path. A relative one is taken from where the command was typed
 * (`INIT_CWD`, set by npm and pnpm scripts), so `pnpm start` at the repository root keeps its data in
 * `./data` there, not inside the package the script runs in.
 */
export function dataDirOf(config: Pick<HostConfig, 'dataDir'>, env: NodeJS.ProcessEnv = process.env): string {
  // A full config built before DATA_DIR existed has no dataDir: the same default as loadEnv.
  const dir = config.dataDir ?? './data';
  if (isAbsolute(dir)) return dir;
  return resolve(env.INIT_CWD ?? process.cwd(), dir);
}

/**
 * The development JWT secret kept in `dir`: read when there, otherwise created with mode 0600.
 * Created atomically (written aside, then linked into place), so two processes starting at once
 * agree on one secret and none ever reads a half-written file.
 */
export function persistedJwtSecret(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, DATA_FILES.jwtSecret);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const secret = readFileSync(path, 'utf8').trim();
      if (secret.length >= 32) {
        // A secret readable by others is not one: tighten what an earlier copy may have left.
        if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
        return secret;
      }
      unlinkSync(path); // empty or truncated: not ours to trust, make a new one
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const secret = randomBytes(32).toString('base64url');
    const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(aside, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(aside, path);
      return secret;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another process linked its secret first: read that one on the next turn.
    } finally {
      unlinkSync(aside);
    }
  }
  throw new Error(`could not read or create the JWT secret in ${path}`);
}

/** Builds the store the configuration selects (lazily connected) and logs where data goes. */
export async function storeFor(config: HostConfig, logger: Logger): Promise<ChosenStore> {
  const kind = storeKindOf(config);
  const keepSecret = (): string | null =>
    config.generatedJwtSecret && kind !== 'memory' ? persistedJwtSecret(dataDirOf(config)) : null;

  if (kind === 'postgres') {
    const { postgresStore } = await import('@parley/adapter-sql');
    logger.info('storing data in PostgreSQL (DATABASE_URL)');
    const store = postgresStore({
      connectionString: config.databaseUrl ?? '',
      ...(config.databasePoolSize !== undefined && { poolSize: config.databasePoolSize }),
    });
    return { store, kind, jwtSecret: keepSecret() };
  }
  if (kind === 'mongo') {
    // Loaded only when needed, so a server on another store never loads Mongoose.
    const { mongoStore } = await import('@parley/adapter-mongo');
    logger.info('storing data in MongoDB (MONGODB_URI)');
    return { store: mongoStore({ uri: config.mongodbUri ?? '' }), kind, jwtSecret: keepSecret() };
  }
  if (kind === 'sqlite') {
    const dir = dataDirOf(config);
    mkdirSync(dir, { recursive: true });
    const filename = join(dir, DATA_FILES.database);
    const { sqliteStore } = await import('@parley/adapter-sql');
    logger.info({ file: filename }, `storing data in SQLite at ${filename} (DATA_DIR)`);
    return { store: sqliteStore({ filename }), kind, jwtSecret: keepSecret() };
  }
  logger.warn('STORE=memory: data is kept in memory only and lost when the server stops');
  return { store: memoryStore(), kind, jwtSecret: null };
}
