/** Shared assertions of the scenario suites. */
import { expect } from 'vitest';
import { type ChatError, type ErrorCode, isChatError } from '../../errors.js';

/**
 * Awaits `promise`, expects it to be refused with the contract's `code`, and answers the error so
 * the caller can look at its message and details.
 */
export async function expectRefusal(promise: Promise<unknown>, code: ErrorCode): Promise<ChatError> {
  let outcome: unknown;
  try {
    await promise;
    outcome = 'resolved';
  } catch (error) {
    outcome = error;
  }
  if (!isChatError(outcome)) {
    throw new Error(
      `expected ChatError ${code}, got ${outcome instanceof Error ? outcome.stack : String(outcome)}`,
    );
  }
  expect(outcome.code, outcome.message).toBe(code);
  return outcome;
}
