/** /api/messages: history, the REST fallback of sending, recall, delete-for-me and readers. */

import type { SendGroupInput, SendPrivateInput } from '@parley/chat-core';
import { Router } from 'express';
import { userIdOf } from '../http/auth.js';
import { bodyOf, param, queryOf } from '../http/input.js';
import type { RouteDeps } from './deps.js';

const HISTORY_QUERY = ['beforeSeq', 'afterSeq', 'limit'] as const;

export function messageRoutes({ engine, auth }: RouteDeps): Router {
  const router = Router();

  // The private/ and group/ routes come first: `/api/messages/:id/readers` would otherwise match them.
  router.get('/api/messages/private/:friendId', auth, async (req, res) => {
    res.json(
      await engine.messages.privateHistory(
        userIdOf(req),
        param(req, 'friendId'),
        queryOf(req, HISTORY_QUERY),
      ),
    );
  });

  router.get('/api/messages/group/:groupId', auth, async (req, res) => {
    res.json(
      await engine.messages.groupHistory(userIdOf(req), param(req, 'groupId'), queryOf(req, HISTORY_QUERY)),
    );
  });

  router.post('/api/messages/private/:friendId', auth, async (req, res) => {
    const input: SendPrivateInput = { ...bodyOf<SendPrivateInput>(req), receiverId: param(req, 'friendId') };
    // Through the dispatcher, as the socket event is: one budget for a user's sockets and REST sends.
    res
      .status(201)
      .json(await engine.dispatcher.call(userIdOf(req), 'private_message', input, { ip: req.ip }));
  });

  router.post('/api/messages/group/:groupId', auth, async (req, res) => {
    const input: SendGroupInput = { ...bodyOf<SendGroupInput>(req), groupId: param(req, 'groupId') };
    res.status(201).json(await engine.dispatcher.call(userIdOf(req), 'group_message', input, { ip: req.ip }));
  });

  router.post('/api/messages/:id/recall', auth, async (req, res) => {
    res.json(await engine.messages.recall(userIdOf(req), param(req, 'id')));
  });

  router.delete('/api/messages/:id', auth, async (req, res) => {
    await engine.messages.deleteForMe(userIdOf(req), param(req, 'id'));
    res.status(204).end();
  });

  router.get('/api/messages/:id/readers', auth, async (req, res) => {
    const page = await engine.messages.readers(
      userIdOf(req),
      param(req, 'id'),
      queryOf(req, ['cursor', 'limit']),
    );
    res.json({ readers: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
  });

  return router;
}
