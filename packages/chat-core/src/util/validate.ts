import { z } from 'zod';
import { ChatError } from '../errors.js';

/**
 * Parses input at the edge of the core with one schema per operation. A failure throws
 * `VALIDATION_FAILED` whose `details.fields` maps each bad field path to what is wrong with it.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error);
}

/** Turns a zod error into the contract's VALIDATION_FAILED. */
export function validationError(error: z.ZodError): ChatError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(body)';
    fields[key] ??= issue.message;
  }
  const summary = Object.entries(fields)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; ');
  return new ChatError('VALIDATION_FAILED', `Invalid input: ${summary}`, { details: { fields } });
}

const MAX_ID_LENGTH = 128;

/** A non-empty id string (ids are opaque to clients). */
export const idSchema = z.string().trim().min(1, 'required').max(MAX_ID_LENGTH, 'too long');

/**
 * What {@link idSchema} answers for a valid id (the trimmed string), or undefined when the value
 * is not one: the hot paths check their common case by hand and leave errors to the schema.
 */
export function validId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length >= 1 && trimmed.length <= MAX_ID_LENGTH ? trimmed : undefined;
}
