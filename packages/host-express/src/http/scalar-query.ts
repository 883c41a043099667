/**
 * Query parameters are scalars (the contract): `?limit[]=5`, `?afterSeq[$gt]=0` or a repeated
 * `?limit=1&limit=2` answer 400 VALIDATION_FAILED naming the parameter, instead of being ignored
 * or passed on as arrays and objects.
 */
import { ChatError } from '@parley/chat-core';
import type { RequestHandler } from 'express';

/** Refuses any query parameter that is not one plain `name=value`. */
export const scalarQuery: RequestHandler = (req, _res, next) => {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    const base = name.includes('[') ? name.slice(0, name.indexOf('[')) : name;
    if (name !== base || name.includes(']'))
      fields[base || name] = 'must be a single value, not an array or object';
    else if (typeof value !== 'string') fields[name] = 'must be given once, as a single value';
  }
  if (Object.keys(fields).length === 0) {
    next();
    return;
  }
  const summary = Object.entries(fields)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; ');
  throw new ChatError('VALIDATION_FAILED', `Invalid query: ${summary}`, { details: { fields } });
};
