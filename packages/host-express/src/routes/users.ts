/** /api/users: profiles and search. */
import { Router } from 'express';
import { sessionOf, userIdOf } from '../http/auth.js';
import { bodyOf, param, queryOf } from '../http/input.js';
import { originOf, type RouteDeps } from './deps.js';

export function userRoutes({ engine, auth, limit }: RouteDeps): Router {
  const router = Router();

  router.get('/api/users/me', auth, async (req, res) => {
    res.json({ user: await engine.users.getMe(userIdOf(req)) });
  });

  router.put('/api/users/me', auth, async (req, res) => {
    res.json({ user: await engine.users.updateMe(userIdOf(req), bodyOf(req)) });
  });

  // Rate limited like login: a stolen token must not buy unlimited guesses at the current password.
  router.put('/api/users/me/password', auth, limit('password'), async (req, res) => {
    res.json(await engine.auth.changePassword(userIdOf(req), bodyOf(req), originOf(req)));
  });

  router.put('/api/users/me/settings', auth, async (req, res) => {
    res.json({ user: await engine.users.updateSettings(userIdOf(req), bodyOf(req)) });
  });

  router.post('/api/users/me/push-subscriptions', auth, async (req, res) => {
    const session = sessionOf(req);
    res.status(201).json(await engine.push.subscribe(session.userId, bodyOf(req), session.jti));
  });

  router.delete('/api/users/me/push-subscriptions/:id', auth, async (req, res) => {
    await engine.push.unsubscribe(userIdOf(req), param(req, 'id'));
    res.status(204).end();
  });

  // What a browser needs to subscribe: whether push is on and the VAPID key to subscribe with.
  router.get('/api/push/config', auth, (_req, res) => {
    res.json(engine.push.config());
  });

  router.get('/api/users/search', auth, async (req, res) => {
    const page = await engine.users.searchPage(userIdOf(req), queryOf(req, ['q', 'limit']));
    res.json({ users: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
  });

  router.get('/api/users/:id', auth, async (req, res) => {
    res.json({ user: await engine.users.getProfile(userIdOf(req), param(req, 'id')) });
  });

  return router;
}
