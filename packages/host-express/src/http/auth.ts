/** Bearer authentication: `Authorization: Bearer <jwt>` → `req.session`, or 401 through the error handler. */
import { type ChatEngine, ChatError, type Session } from '@parley/chat-core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { originOf } from '../routes/deps.js';

declare global {
  namespace Express {
    interface Request {
      /** The caller's session, set by {@link requireAuth}. */
      session?: Session;
    }
  }
}

/** Answers 401 UNAUTHORIZED (or TOKEN_EXPIRED) unless the request carries a valid, unrevoked token. */
export function requireAuth(engine: ChatEngine): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new ChatError('UNAUTHORIZED', 'A bearer token is required');
    req.session = await engine.auth.authenticate(match[1], originOf(req));
    next();
  };
}

/** The session of an authenticated request; only called behind {@link requireAuth}. */
export function sessionOf(req: Request): Session {
  if (!req.session) throw new ChatError('UNAUTHORIZED');
  return req.session;
}

/** The caller's user id. */
export function userIdOf(req: Request): string {
  return sessionOf(req).userId;
}
