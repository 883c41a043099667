import { ChatError } from '../errors.js';

/** Placeholder for an operation still being built; never ships in a release. */
export function notImplemented(what: string): never {
  throw new ChatError('INTERNAL', `${what} is not implemented yet`);
}
