/**
 * Ids at the boundary between the core (opaque strings) and MongoDB.
 *
 * Decision: an id that is a canonical ObjectId (24 lower-case hex characters, which is what the
 * core's default `objectIdGenerator()` makes) is stored as a native ObjectId (12 bytes, indexes
 * half the size); any other string is stored as that string. A lookup maps its argument the same
 * way, so an id that was never stored (malformed, a conversation id where a user id is expected,
 * upper-case hex) simply matches nothing and the method answers "nothing matches" (the core's
 * NOT_FOUND), never a CastError. Apps with their own `IdGenerator` keep working, their ids are
 * stored as strings. Only lower-case hex counts as an ObjectId: `ObjectId('AB…')` reads back as
 * 'ab…', which would not round-trip.
 */
import mongoose from 'mongoose';

/** A stored id: a native ObjectId, or the string itself when it is not a canonical ObjectId. */
export type StoredId = mongoose.Types.ObjectId | string;

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** True for the canonical 24 lower-case hex form of an ObjectId. */
export function isObjectIdHex(id: string): boolean {
  return OBJECT_ID.test(id);
}

/** The ObjectId an id names, or null when it is not a canonical ObjectId hex string. */
export function toObjectId(id: string): mongoose.Types.ObjectId | null {
  return typeof id === 'string' && OBJECT_ID.test(id) ? new mongoose.Types.ObjectId(id) : null;
}

/** The stored form of a core id (see the module comment). */
export function toStoredId(id: string): StoredId {
  return toObjectId(id) ?? id;
}

/** Stored forms of many ids, duplicates removed. */
export function toStoredIds(ids: readonly string[]): StoredId[] {
  return [...new Set(ids)].map(toStoredId);
}

/** The stored form of an optional id. */
export function toStoredIdOrNull(id: string | null | undefined): StoredId | null {
  return id === null || id === undefined ? null : toStoredId(id);
}

function isObjectIdLike(value: unknown): value is { toHexString(): string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { _bsontype?: unknown })._bsontype === 'ObjectId' ||
      value instanceof mongoose.Types.ObjectId) &&
    typeof (value as { toHexString?: unknown }).toHexString === 'function'
  );
}

/** The core's string form of a stored id. */
export function fromStoredId(value: unknown): string {
  if (isObjectIdLike(value)) return value.toHexString();
  return String(value);
}

/** The core's string form of an optional stored id (null and missing become null). */
export function fromStoredIdOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : fromStoredId(value);
}

/** String forms of stored ids (a missing array becomes empty). */
export function fromStoredIds(values: unknown): string[] {
  return Array.isArray(values) ? values.map(fromStoredId) : [];
}

/**
 * A deep copy of a raw document with every ObjectId as its hex string and `_id` renamed `id`:
 * what the raw probes of the conformance kit answer.
 */
export function plainDocument(doc: Record<string, unknown>): Record<string, unknown> {
  const convert = (value: unknown): unknown => {
    if (isObjectIdLike(value)) return value.toHexString();
    if (value instanceof Date) return new Date(value.getTime());
    if (Array.isArray(value)) return value.map(convert);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
    }
    return value;
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) out[key === '_id' ? 'id' : key] = convert(value);
  return out;
}
