import { randomBytes } from 'node:crypto';

/** Creates the ids of users, messages, groups and requests. Ids are opaque strings to clients. */
export interface IdGenerator {
  /** A new unique id. */
  next(): string;
}

/**
 * The default generator: 24 hex characters laid out exactly like a MongoDB ObjectId (4 bytes of
 * seconds, 5 random bytes fixed per generator, a 3-byte counter starting at a random value), so
 * ids sort roughly by creation and the Mongo adapter stores them as native ObjectIds. Only the
 * counter moves per id: no system randomness on the send path (it cost 12% of a send's CPU).
 * Ids are unique, not secret: nothing in Parley relies on an id being unguessable.
 */
export function objectIdGenerator(): IdGenerator {
  const processPart = randomBytes(5).toString('hex');
  let counter = randomBytes(3).readUIntBE(0, 3);
  return {
    next() {
      counter = (counter + 1) & 0xffffff;
      const seconds = Math.floor(Date.now() / 1000)
        .toString(16)
        .padStart(8, '0');
      return seconds + processPart + counter.toString(16).padStart(6, '0');
    },
  };
}
