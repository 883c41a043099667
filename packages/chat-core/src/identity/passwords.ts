/** Password hashing with bcrypt at the configured cost. */
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';

/**
 * Most bcrypt hashes in flight at once: the cores this process may run on (its CPU affinity, so
 * one under `taskset -c 0`). bcrypt runs on libuv's pool (4 threads by default); with more hashes
 * than cores those threads crowd the event loop's thread off its core and every message waits
 * behind logins. Past this, a hash waits its turn in the event loop, which costs nothing.
 */
const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism());

let running = 0;
const waiting: (() => void)[] = [];

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line, so `running` stays counted for it.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bounded(() => bcrypt.hash(password, cost));
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bounded(() => bcrypt.compare(password, hash));
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Spends the time of one password check against a hash of the same cost, so that a login for an
 * unknown email takes about as long as one with a wrong password and reveals nothing.
 */
export async function burnPasswordCheck(password: string, cost: number): Promise<void> {
  let dummy = dummyHashes.get(cost);
  if (!dummy) {
    dummy = hashPassword('parley-dummy-password-for-timing', cost);
    dummyHashes.set(cost, dummy);
  }
  const hash = await dummy;
  await bounded(() => bcrypt.compare(password, hash));
}
