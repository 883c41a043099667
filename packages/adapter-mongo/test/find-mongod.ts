/**
 * Finds a MongoDB server for the conformance suite without ever downloading one, and fast
 * (filesystem checks only) when there is none:
 * 1. `MONGODB_URI`: a running server (ideally a replica set, so transactions are exercised);
 * 2. a mongod binary for mongodb-memory-server: `MONGOMS_SYSTEM_BINARY`, or one already cached in
 *    the places mongodb-memory-server looks (`MONGOMS_DOWNLOAD_DIR`,
 *    `node_modules/.cache/mongodb-memory-server`, `~/.cache/mongodb-binaries`, `./mongodb-binaries`);
 *    then a one-node `MongoMemoryReplSet` is started with runtime downloads switched off;
 * 3. otherwise null, and the suite is skipped.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** A server the suite can use, and how to stop it (a no-op for `MONGODB_URI`). */
export interface MongoServer {
  uri: string;
  /** Where the URI came from, for the test report. */
  source: 'MONGODB_URI' | 'mongodb-memory-server';
  stop(): Promise<void>;
}

/** What was found, before anything is started. */
export type MongodLocation = { kind: 'uri'; uri: string } | { kind: 'binary'; path: string | null } | null;

function hasMongodIn(dir: string): boolean {
  try {
    return existsSync(dir) && readdirSync(dir).some((name) => name.startsWith('mongod'));
  } catch {
    return false;
  }
}

/** Where a server or binary is, from the environment and the filesystem only (never the network). */
export function locateMongod(env: NodeJS.ProcessEnv = process.env): MongodLocation {
  const uri = env.MONGODB_URI?.trim();
  if (uri) return { kind: 'uri', uri };
  const system = env.MONGOMS_SYSTEM_BINARY?.trim();
  if (system) return existsSync(system) ? { kind: 'binary', path: system } : null;
  const cacheDirs = [
    env.MONGOMS_DOWNLOAD_DIR,
    resolve(process.cwd(), 'node_modules/.cache/mongodb-memory-server'),
    join(homedir(), '.cache/mongodb-binaries'),
    resolve(process.cwd(), 'mongodb-binaries'),
  ].filter((dir): dir is string => typeof dir === 'string' && dir !== '');
  return cacheDirs.some(hasMongodIn) ? { kind: 'binary', path: null } : null;
}

/** Starts (or points at) a server; null when there is none here. */
export async function findMongod(env: NodeJS.ProcessEnv = process.env): Promise<MongoServer | null> {
  const location = locateMongod(env);
  if (!location) return null;
  if (location.kind === 'uri') return { uri: location.uri, source: 'MONGODB_URI', stop: async () => {} };
  // Never download: only a binary that is already here may be used.
  process.env.MONGOMS_DISABLE_POSTINSTALL = '1';
  process.env.MONGOMS_RUNTIME_DOWNLOAD = 'false';
  const { MongoMemoryReplSet } = await import('mongodb-memory-server');
  const replSet = await MongoMemoryReplSet.create({
    replSet: { count: 1, storageEngine: 'wiredTiger' },
    ...(location.path ? { binary: { systemBinary: location.path } } : {}),
  });
  return {
    uri: replSet.getUri(),
    source: 'mongodb-memory-server',
    stop: async () => {
      await replSet.stop();
    },
  };
}

/** The one line printed when the suite is skipped. */
export const SKIP_MESSAGE =
  'adapter-mongo: skipping the MongoDB-backed conformance suite: no mongod here ' +
  '(set MONGODB_URI=mongodb://… or MONGOMS_SYSTEM_BINARY=/path/to/mongod to run it)';
