/** /api/blacklist: who the caller has blocked. */
import { Router } from 'express';
import { userIdOf } from '../http/auth.js';
import { bodyOf, param, queryOf } from '../http/input.js';
import type { RouteDeps } from './deps.js';

export function blacklistRoutes({ engine, auth }: RouteDeps): Router {
  const router = Router();

  router.get('/api/blacklist', auth, async (req, res) => {
    const page = await engine.blacklist.list(userIdOf(req), queryOf(req, ['cursor', 'limit']));
    res.json({ users: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
  });

  router.post('/api/blacklist', auth, async (req, res) => {
    const body = bodyOf<{ userId: string }>(req);
    await engine.blacklist.add(userIdOf(req), body);
    res.status(201).json({ userId: body.userId });
  });

  router.delete('/api/blacklist/:userId', auth, async (req, res) => {
    await engine.blacklist.remove(userIdOf(req), param(req, 'userId'));
    res.status(204).end();
  });

  return router;
}
