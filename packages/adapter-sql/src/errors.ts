/**
 * What SQL errors mean to the port, as adapter-mongo's errors.ts does for MongoDB: a unique
 * violation is the contract's conflict (each caller says which, and on which columns), a lost or
 * locked database is `STORE_UNAVAILABLE`, anything else is left for the core to wrap as INTERNAL.
 */
import { ChatError, type ErrorCode, isChatError } from '@parley/chat-core';

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  detail?: unknown;
  constraint?: unknown;
  cause?: unknown;
  name?: unknown;
}

function chain(error: unknown): ErrorLike[] {
  const seen: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && seen.length < 5) {
    const e = current as ErrorLike;
    if (seen.includes(e)) break;
    seen.push(e);
    current = e.cause;
  }
  return seen;
}

/** PostgreSQL SQLSTATE classes and codes that mean "the server cannot serve right now". */
const PG_UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database does not exist (yet)
]);

/** Node socket errors of a server that cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** SQLite result codes of a database that is locked past the busy timeout or cannot be opened. */
const SQLITE_UNAVAILABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_READONLY',
]);

/** Messages of pg and pg-pool for connections lost or never made. */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Cannot use a pool after calling end/i,
  /The database connection is not open/i,
  /Cannot open database/i,
  /connection is closed/i,
];

/** True when the error is (or wraps) a unique or primary-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  return chain(error).some(
    (e) =>
      e.code === '23505' ||
      e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
      e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  );
}

/**
 * The columns a unique violation names: SQLite says `UNIQUE constraint failed: t.a, t.b`,
 * PostgreSQL `Key (a, b)=(…) already exists.` Null when the error does not say.
 */
export function uniqueViolationColumns(error: unknown): string[] | null {
  for (const e of chain(error)) {
    if (typeof e.detail === 'string') {
      const match = /^Key \(([^)]*)\)=/.exec(e.detail);
      if (match?.[1]) return match[1].split(',').map((column) => column.trim().replace(/^"|"$/g, ''));
    }
    if (
      typeof e.code === 'string' &&
      e.code.startsWith('SQLITE_CONSTRAINT') &&
      typeof e.message === 'string'
    ) {
      const match = /constraint failed: (.+)$/.exec(e.message);
      if (match?.[1]) return match[1].split(',').map((column) => column.trim().split('.').pop() ?? column);
    }
  }
  return null;
}

/** True when the error means the database is unreachable, going away, or locked past waiting. */
export function isUnavailableError(error: unknown): boolean {
  return chain(error).some((e) => {
    if (typeof e.code === 'string') {
      if (PG_UNAVAILABLE_CODES.has(e.code) || NETWORK_CODES.has(e.code)) return true;
      if (e.code.startsWith('08')) return true; // connection_exception class
      if ([...SQLITE_UNAVAILABLE_CODES].some((code) => (e.code as string).startsWith(code))) return true;
    }
    return (
      typeof e.message === 'string' &&
      UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(e.message as string))
    );
  });
}

/** Options of {@link toStoreError}. */
export interface StoreErrorOptions {
  /** The contract's conflict for a unique violation on this write, e.g. `EMAIL_TAKEN`. */
  duplicate?: ErrorCode;
  /** Only map violations of a key made of these columns (others, such as the id, pass through). */
  duplicateColumns?: readonly string[];
}

/**
 * What a store method throws for a caught error: a ChatError passes through; a unique violation
 * becomes `options.duplicate` when given (and on the named columns); an unreachable database
 * becomes `ChatError('STORE_UNAVAILABLE')` with the original as cause; anything else is answered
 * as is, for the core to wrap as INTERNAL.
 */
export function toStoreError(error: unknown, options: StoreErrorOptions = {}): unknown {
  if (isChatError(error)) return error;
  if (options.duplicate !== undefined && isUniqueViolation(error)) {
    const columns = uniqueViolationColumns(error);
    const matches =
      options.duplicateColumns === undefined ||
      columns === null ||
      columns.some((column) => options.duplicateColumns?.includes(column));
    if (matches) return new ChatError(options.duplicate, undefined, { cause: error });
  }
  if (isUnavailableError(error)) return new ChatError('STORE_UNAVAILABLE', undefined, { cause: error });
  return error;
}

/** Runs `fn` and rethrows what it throws through {@link toStoreError}. */
export async function guard<T>(fn: () => Promise<T>, options?: StoreErrorOptions): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error, options);
  }
}
