/** Turning the wire's strings into what the engine validates: no rules here, only decoding. */
import type { Request } from 'express';

/**
 * A JSON body, or `{}` when none was sent (the engine's schema then names the missing fields).
 * Typed as the operation's input for the call site only: the engine validates every input with
 * its own schema, so the host passes the wire's body through untouched and never trusts its shape.
 */
export function bodyOf<T = Record<string, unknown>>(req: Request): T {
  const body: unknown = req.body;
  if (body === undefined || body === null) return {} as T;
  // A JSON array or scalar is passed as is: the engine's object schema refuses it with details.
  return body as T;
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
export function queryOf<T = Record<string, unknown>>(req: Request, names: readonly string[]): T {
  const out: Record<string, unknown> = {};
  const query = req.query as Record<string, unknown>;
  for (const name of names) {
    const value = query[name];
    if (value === undefined) continue;
    out[name] = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return out as T;
}
