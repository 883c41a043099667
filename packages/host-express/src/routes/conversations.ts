/** /api/conversations: the conversation list and read cursors. */
import { Router } from 'express';
import { userIdOf } from '../http/auth.js';
import { bodyOf, param } from '../http/input.js';
import type { RouteDeps } from './deps.js';

export function conversationRoutes({ engine, auth }: RouteDeps): Router {
  const router = Router();

  // The contract answers the list itself (an array), newest first.
  router.get('/api/conversations', auth, async (req, res) => {
    res.json(await engine.conversations.list(userIdOf(req)));
  });

  router.post('/api/conversations/:id/read', auth, async (req, res) => {
    await engine.messages.markRead(userIdOf(req), param(req, 'id'), bodyOf(req));
    res.status(204).end();
  });

  return router;
}
