/** /api/conversations/:id/pins: pinned messages of a conversation. */
import { Router } from 'express';
import { userIdOf } from '../http/auth.js';
import { bodyOf, param } from '../http/input.js';
import type { RouteDeps } from './deps.js';

export function pinRoutes({ engine, auth }: RouteDeps): Router {
  const router = Router();

  router.get('/api/conversations/:id/pins', auth, async (req, res) => {
    res.json(await engine.messages.pins(userIdOf(req), param(req, 'id')));
  });

  router.post('/api/conversations/:id/pins', auth, async (req, res) => {
    res.status(201).json(await engine.messages.pin(userIdOf(req), param(req, 'id'), bodyOf(req)));
  });

  router.delete('/api/conversations/:id/pins/:messageId', auth, async (req, res) => {
    await engine.messages.unpin(userIdOf(req), param(req, 'id'), param(req, 'messageId'));
    res.status(204).end();
  });

  return router;
}
