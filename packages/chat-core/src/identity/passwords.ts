/** Password hashing with bcrypt at the configured cost. */
import bcrypt from 'bcrypt';

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Spends the time of one password check against a hash of the same cost, so that a login for an
 * unknown email takes about as long as one with a wrong password and reveals nothing.
 */
export async function burnPasswordCheck(password: string, cost: number): Promise<void> {
  let dummy = dummyHashes.get(cost);
  if (!dummy) {
    dummy = bcrypt.hash('parley-dummy-password-for-timing', cost);
    dummyHashes.set(cost, dummy);
  }
  await bcrypt.compare(password, await dummy);
}
