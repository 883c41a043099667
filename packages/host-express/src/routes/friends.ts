/** /api/friends: friendships and friend requests. */
import { Router } from 'express';
import { userIdOf } from '../http/auth.js';
import { bodyOf, param, queryOf } from '../http/input.js';
import type { RouteDeps } from './deps.js';

export function friendRoutes({ engine, auth }: RouteDeps): Router {
  const router = Router();

  router.get('/api/friends', auth, async (req, res) => {
    const page = await engine.friends.list(userIdOf(req), queryOf(req, ['cursor', 'limit']));
    res.json({ friends: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
  });

  router.post('/api/friends/add', auth, async (req, res) => {
    res.status(201).json(await engine.friends.sendRequest(userIdOf(req), bodyOf(req)));
  });

  router.get('/api/friends/requests', auth, async (req, res) => {
    const page = await engine.friends.listRequests(
      userIdOf(req),
      queryOf(req, ['direction', 'cursor', 'limit']),
    );
    res.json({ requests: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
  });

  router.post('/api/friends/requests/:id/accept', auth, async (req, res) => {
    res.json(await engine.friends.accept(userIdOf(req), param(req, 'id')));
  });

  router.post('/api/friends/requests/:id/reject', auth, async (req, res) => {
    await engine.friends.reject(userIdOf(req), param(req, 'id'));
    res.status(204).end();
  });

  router.delete('/api/friends/:userId', auth, async (req, res) => {
    await engine.friends.remove(userIdOf(req), param(req, 'userId'));
    res.status(204).end();
  });

  return router;
}
