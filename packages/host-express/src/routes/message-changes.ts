/** /api/messages: edits, reactions, threads and search (what happens to messages after they are sent). */
import { Router } from 'express';
import { userIdOf } from '../http/auth.js';
import { bodyOf, param, queryOf } from '../http/input.js';
import type { RouteDeps } from './deps.js';

export function messageChangeRoutes({ engine, auth }: RouteDeps): Router {
  const router = Router();

  router.get('/api/messages/search', auth, async (req, res) => {
    res.json(
      await engine.messages.search(userIdOf(req), queryOf(req, ['q', 'conversationId', 'cursor', 'limit'])),
    );
  });

  // Edits and reactions are socket events too: through the dispatcher, on the same event budget.
  router.patch('/api/messages/:id', auth, async (req, res) => {
    const body = bodyOf<{ content?: unknown }>(req);
    res.json(
      await engine.dispatcher.call(
        userIdOf(req),
        'edit_message',
        { messageId: param(req, 'id'), content: body.content },
        { ip: req.ip },
      ),
    );
  });

  router.post('/api/messages/:id/reactions', auth, async (req, res) => {
    const body = bodyOf<{ emoji?: unknown }>(req);
    res.json(
      await engine.dispatcher.call(
        userIdOf(req),
        'react_message',
        { messageId: param(req, 'id'), emoji: body.emoji, add: true },
        { ip: req.ip },
      ),
    );
  });

  router.delete('/api/messages/:id/reactions/:emoji', auth, async (req, res) => {
    await engine.dispatcher.call(
      userIdOf(req),
      'react_message',
      { messageId: param(req, 'id'), emoji: param(req, 'emoji'), add: false },
      { ip: req.ip },
    );
    res.status(204).end();
  });

  router.get('/api/messages/:id/thread', auth, async (req, res) => {
    res.json(
      await engine.messages.thread(userIdOf(req), param(req, 'id'), queryOf(req, ['cursor', 'limit'])),
    );
  });

  return router;
}
