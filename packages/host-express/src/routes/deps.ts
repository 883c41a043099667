/** What every route module receives from the host. */
import type { ChatEngine, Origin } from '@parley/chat-core';
import type { Request, RequestHandler } from 'express';

export interface RouteDeps {
  engine: ChatEngine;
  /** Bearer authentication: sets `req.session` or refuses with 401. */
  auth: RequestHandler;
  /** A per-IP budget for one account route. */
  limit(scope: string): RequestHandler;
}

/** Where a REST call comes from: no connection to leave out of echoes, the IP for rate limits. */
export function originOf(req: Request): Origin {
  return { ip: req.ip };
}
