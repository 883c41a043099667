/** Turning the wire's strings into what the engine validates: no rules here, only decoding. */
import type { Request } from 'express';

/** A JSON body, or `{}` when none was sent (the engine's schema then names the missing fields). */
export function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null) return {};
  // A JSON array or scalar is passed as is: the engine's object schema refuses it with details.
  return body as Record<string, unknown>;
}

/** A route parameter, always a string in Express 5. */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

/**
 * The named query parameters, with whole-number strings turned into numbers (`beforeSeq`,
 * `limit` …); anything else passes through unchanged for the engine's schema to judge.
 */
export function queryOf(req: Request, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const query = req.query as Record<string, unknown>;
  for (const name of names) {
    const value = query[name];
    if (value === undefined) continue;
    out[name] = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}
