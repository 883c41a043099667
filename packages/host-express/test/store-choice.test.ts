/**
 * The store the configuration selects (the contract's v2 table), the configuration errors of
 * contradictory settings, and the development JWT secret kept in DATA_DIR.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dataDirOf,
  hostConfig,
  isConfigError,
  loadEnv,
  persistedJwtSecret,
  storeFor,
  storeKindOf,
} from '@parley/host-express';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-choice-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadEnv(env);
  } catch (error) {
    if (isConfigError(error)) return error.problems;
    throw error;
  }
  throw new Error('loadEnv accepted a bad configuration');
}

describe('the store the environment selects', () => {
  it('DATABASE_URL → postgres, MONGODB_URI → mongo, neither → sqlite in ./data, STORE=memory → memory', () => {
    expect(storeKindOf(loadEnv({ DATABASE_URL: 'postgres://u@db.example/parley' }))).toBe('postgres');
    expect(storeKindOf(loadEnv({ DATABASE_URL: 'postgresql://u@db.example/parley' }))).toBe('postgres');
    expect(storeKindOf(loadEnv({ MONGODB_URI: 'mongodb://db.example/parley' }))).toBe('mongo');
    const plain = loadEnv({});
    expect(storeKindOf(plain)).toBe('sqlite');
    expect(plain).toMatchObject({
      dataDir: './data',
      store: 'auto',
      databaseUrl: null,
      generatedJwtSecret: true,
    });
    expect(storeKindOf(loadEnv({ STORE: 'memory' }))).toBe('memory');
    expect(loadEnv({ DATABASE_URL: 'postgres://x/y', DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25);
    expect(loadEnv({ JWT_SECRET: 'x'.repeat(32) }).generatedJwtSecret).toBe(false);
  });

  it('both DATABASE_URL and MONGODB_URI is a configuration error naming both', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://x/y', MONGODB_URI: 'mongodb://x/y' });
    expect(problems).toEqual([expect.stringMatching(/^DATABASE_URL and MONGODB_URI: both are set/)]);
    expect(problemsOf({ STORE: 'memory', DATABASE_URL: 'postgres://x/y' })).toEqual([
      expect.stringMatching(/^STORE: .*DATABASE_URL/),
    ]);
    expect(() => hostConfig({ databaseUrl: 'postgres://x/y', mongodbUri: 'mongodb://x/y' })).toThrow(/both/);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL, a STORE other than memory, a bad pool size', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://x/y', STORE: 'disk', DATABASE_POOL_SIZE: 'many' });
    for (const name of ['DATABASE_URL', 'STORE', 'DATABASE_POOL_SIZE'])
      expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('the JWT warning says where the secret is kept, or that tokens die with the memory store', () => {
    expect(loadEnv({}).warnings.join(' ')).toContain('kept in DATA_DIR');
    expect(loadEnv({ STORE: 'memory' }).warnings.join(' ')).toContain('every token dies');
  });

  it('a relative DATA_DIR is taken from where the command was typed (INIT_CWD), else the cwd', () => {
    expect(dataDirOf({ dataDir: './data' }, { INIT_CWD: '/srv/app' })).toBe('/srv/app/data');
    expect(dataDirOf({ dataDir: '/var/lib/parley' }, { INIT_CWD: '/srv/app' })).toBe('/var/lib/parley');
    expect(dataDirOf({ dataDir: 'd' }, {})).toBe(join(process.cwd(), 'd'));
  });
});

describe('storeFor', () => {
  const logger = pino({ level: 'silent' });

  it('SQLite: creates DATA_DIR and parley.db there, keeps the generated secret with mode 0600', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const chosen = await storeFor(hostConfig({ dataDir: dir }), logger);
    expect(chosen.kind).toBe('sqlite');
    expect(chosen.store.name).toBe('sqlite');
    await chosen.store.ping();
    expect(statSync(join(dir, 'parley.db')).isFile()).toBe(true);
    expect(chosen.jwtSecret).toBe(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim());
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    const again = await storeFor(hostConfig({ dataDir: dir }), logger);
    expect(again.jwtSecret).toBe(chosen.jwtSecret);
    await chosen.store.close();
    await again.store.close();
  });

  it('a configured JWT secret is used as is; memory keeps the random one and writes nothing', async () => {
    const dir = tempDir();
    const given = await storeFor(hostConfig({ dataDir: dir, chat: { jwtSecret: 'y'.repeat(32) } }), logger);
    expect(given.jwtSecret).toBeNull();
    await given.store.close();
    const memoryDir = join(tempDir(), 'unused');
    const memory = await storeFor(hostConfig({ dataDir: memoryDir, store: 'memory' }), logger);
    expect(memory).toMatchObject({ kind: 'memory', jwtSecret: null });
    expect(() => statSync(memoryDir)).toThrow();
  });

  it('PostgreSQL from DATABASE_URL, connected lazily (nothing is opened by choosing)', async () => {
    const chosen = await storeFor(
      hostConfig({ dataDir: tempDir(), databaseUrl: 'postgres://nobody@127.0.0.1:1/none' }),
      logger,
    );
    expect(chosen.kind).toBe('postgres');
    expect(chosen.store.name).toBe('postgres');
    await chosen.store.close();
  });

  it('persistedJwtSecret replaces a truncated file and tightens loose permissions', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'jwt-secret'), 'short\n', { mode: 0o644 });
    const secret = persistedJwtSecret(dir);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const path = join(dir, 'jwt-secret');
    writeFileSync(path, `${'z'.repeat(40)}\n`);
    rmSync(path);
    writeFileSync(path, `${'z'.repeat(40)}\n`, { mode: 0o644 });
    expect(persistedJwtSecret(dir)).toBe('z'.repeat(40));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
