/**
 * `Cache-Control: no-store` on every API answer: they carry tokens (login, register, password
 * change) or private data (`/api/users/me`, messages, friends), which no browser or proxy cache
 * may keep.
 */
import type { RequestHandler } from 'express';

export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
