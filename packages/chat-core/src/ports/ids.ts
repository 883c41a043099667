import { randomBytes } from 'node:crypto';

/** Creates the ids of users, messages, groups and requests. Ids are opaque strings to clients. */
export interface IdGenerator {
  /** A new unique id. */
  next(): string;
}

/**
 * The default generator: 24 hex characters laid out like a MongoDB ObjectId (4 bytes of seconds,
 * then 8 random bytes), so ids sort roughly by creation and the Mongo adapter can store them as
 * native ObjectIds.
 */
export function objectIdGenerator(): IdGenerator {
  return {
    next() {
      const seconds = Math.floor(Date.now() / 1000)
        .toString(16)
        .padStart(8, '0');
      return seconds + randomBytes(8).toString('hex');
    },
  };
}
