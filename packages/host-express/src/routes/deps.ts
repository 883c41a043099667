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

/**
 * Where a REST call comes from: no connection to leave out of echoes, the IP for rate limits, and
 * what the caller's session list shows (the user agent, and the address only when `trust proxy`
 * is configured: behind a proxy the socket's address is the proxy's, not the client's).
 */
export function originOf(req: Request): Origin {
  const setting: unknown = req.app.get('trust proxy');
  const trusted = setting !== false && setting !== 0;
  const userAgent = req.get('user-agent');
  return {
    ip: req.ip,
    ...(userAgent !== undefined && { userAgent }),
    ...(trusted && req.ip !== undefined && { sessionIp: req.ip }),
  };
}
