/**
 * PostgreSQL for the tests: `TEST_DATABASE_URL` (default the local server with trust auth), and a
 * fresh database per test file, dropped after. The tests never skip: a server that cannot be
 * reached fails them with one line saying how to start it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const START_HINT =
  `PostgreSQL is not reachable at ${TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//…@')}: start it ` +
  '(`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) or set TEST_DATABASE_URL';

export interface TestDatabase {
  /** Connection string of the fresh database. */
  url: string;
  name: string;
  /** Drops the database (closing every connection to it first). */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(START_HINT, { cause: error });
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database for one test file. `fastCommits` turns `synchronous_commit` off for
 * that database only: commits stop waiting for the WAL flush (a server crash could lose the last
 * ones, which no test here causes), which makes the kit several times faster on slow disks.
 */
export async function createTestDatabase(
  label: string,
  options: { fastCommits?: boolean } = {},
): Promise<TestDatabase> {
  const name = `parley_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(async (client) => {
    await client.query(`create database "${name}"`);
    if (options.fastCommits) await client.query(`alter database "${name}" set synchronous_commit = off`);
  });
  return {
    name,
    url: withDatabase(TEST_DATABASE_URL, name),
    drop: () =>
      admin((client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
  };
}
