/**
 * What MongoDB errors mean to the port: a duplicate key is the contract's conflict (each caller
 * says which), a lost database is `STORE_UNAVAILABLE`, anything else is left for the core to wrap
 * as INTERNAL.
 */
import { ChatError, type ErrorCode, isChatError } from '@parley/chat-core';

/** Driver and Mongoose error names that mean "the database cannot be reached right now". */
const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
  'MongoOperationTimeoutError',
]);

/**
 * Server error codes of a node that is going away or not primary any more: the driver retries
 * what it can, what is left is a temporary outage.
 */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  writeErrors?: unknown;
  keyPattern?: unknown;
  keyValue?: unknown;
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

/** The write errors of a bulk error (the driver answers one object or an array). */
export function writeErrorsOf(error: unknown): Array<{ index: number; code: number | undefined }> {
  const raw = (error as ErrorLike | null)?.writeErrors;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.map((item: { index?: unknown; code?: unknown; err?: { index?: unknown; code?: unknown } }) => ({
    index: Number(item.index ?? item.err?.index),
    code: typeof (item.code ?? item.err?.code) === 'number' ? Number(item.code ?? item.err?.code) : undefined,
  }));
}

/**
 * Runs an upsert again when it lost a race on a unique key to a concurrent first insert (the
 * retry then updates the winner's document); gives up after three tries or on any other error.
 */
export async function retryOnDuplicateKey<T>(write: () => PromiseLike<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 2 || !isDuplicateKeyError(error)) throw error;
    }
  }
}

/**
 * Inserts `doc` where a partial unique index on pending documents decides concurrent creates: the
 * loser answers the winner's document (`created: false`). Retried in case the winner was resolved
 * between the refused insert and the lookup.
 */
export async function insertOrFindWinner<D>(
  doc: D,
  insert: () => Promise<unknown>,
  findWinner: () => Promise<D | null>,
): Promise<{ doc: D; created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    try {
      await insert();
      return { doc, created: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await findWinner();
      if (existing) return { doc: existing, created: false };
      if (attempt >= 2) throw error;
    }
  }
}

/** True when the error is (or wraps) a duplicate-key error, E11000. */
export function isDuplicateKeyError(error: unknown): boolean {
  return chain(error).some(
    (e) =>
      e.code === 11000 ||
      e.code === 11001 ||
      (e.writeErrors !== undefined && writeErrorsOf(e).some((w) => w.code === 11000 || w.code === 11001)),
  );
}

/**
 * The key fields a duplicate-key error names (`keyPattern`, else `keyValue`), or null when the
 * server did not say.
 */
export function duplicateKeyFields(error: unknown): string[] | null {
  for (const e of chain(error)) {
    const pattern = e.keyPattern ?? e.keyValue;
    if (typeof pattern === 'object' && pattern !== null) return Object.keys(pattern);
  }
  return null;
}

/** True when the error means the database is unreachable or going away. */
export function isUnavailableError(error: unknown): boolean {
  return chain(error).some(
    (e) =>
      (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) ||
      (typeof e.code === 'number' && UNAVAILABLE_CODES.has(e.code)),
  );
}

/** Options of {@link toStoreError}. */
export interface StoreErrorOptions {
  /** The contract's conflict for a duplicate key on this write, e.g. `EMAIL_TAKEN`. */
  duplicate?: ErrorCode;
  /** Only map duplicates on a key made of these fields (other keys, such as `_id`, pass through). */
  duplicateFields?: readonly string[];
}

/**
 * What a store method throws for a caught error: a ChatError passes through; a duplicate key
 * becomes `options.duplicate` when given; an unreachable database becomes
 * `ChatError('STORE_UNAVAILABLE')` with the original as cause; anything else is answered as is,
 * for the core to wrap as INTERNAL.
 */
export function toStoreError(error: unknown, options: StoreErrorOptions = {}): unknown {
  if (isChatError(error)) return error;
  if (options.duplicate !== undefined && isDuplicateKeyError(error)) {
    const fields = duplicateKeyFields(error);
    const matches =
      options.duplicateFields === undefined ||
      fields === null ||
      fields.some((field) => options.duplicateFields?.includes(field));
    if (matches) return new ChatError(options.duplicate, undefined, { cause: error });
  }
  if (isUnavailableError(error)) {
    return new ChatError('STORE_UNAVAILABLE', undefined, { cause: error });
  }
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
