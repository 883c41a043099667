/** /api/groups: groups, membership, roles, mutes and announcements. */
import { Router } from 'express';
import { userIdOf } from '../http/auth.js';
import { bodyOf, param, queryOf } from '../http/input.js';
import type { RouteDeps } from './deps.js';

export function groupRoutes({ engine, auth }: RouteDeps): Router {
  const router = Router();
  const g = engine.groups;

  router.post('/api/groups', auth, async (req, res) => {
    res.status(201).json(await g.create(userIdOf(req), bodyOf(req)));
  });

  router.get('/api/groups', auth, async (req, res) => {
    const page = await g.listMinePage(userIdOf(req), queryOf(req, ['cursor', 'limit']));
    res.json({ groups: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
  });

  router.get('/api/groups/:id', auth, async (req, res) => {
    res.json(await g.get(userIdOf(req), param(req, 'id')));
  });

  router.patch('/api/groups/:id', auth, async (req, res) => {
    res.json(await g.update(userIdOf(req), param(req, 'id'), bodyOf(req)));
  });

  router.delete('/api/groups/:id', auth, async (req, res) => {
    await g.dissolve(userIdOf(req), param(req, 'id'));
    res.status(204).end();
  });

  router.get('/api/groups/:id/members', auth, async (req, res) => {
    const page = await g.listMembers(userIdOf(req), param(req, 'id'), queryOf(req, ['cursor', 'limit']));
    res.json({ members: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
  });

  router.post('/api/groups/:id/members', auth, async (req, res) => {
    res.json(await g.addMembers(userIdOf(req), param(req, 'id'), bodyOf(req)));
  });

  router.delete('/api/groups/:id/members/:userId', auth, async (req, res) => {
    await g.kick(userIdOf(req), param(req, 'id'), param(req, 'userId'));
    res.status(204).end();
  });

  // 200 with the group when the caller is in; 202 with the request when an admin must approve.
  router.post('/api/groups/:id/join', auth, async (req, res) => {
    const result = await g.join(userIdOf(req), param(req, 'id'), bodyOf(req));
    res.status(result.joined ? 200 : 202).json(result);
  });

  router.get('/api/groups/:id/join-requests', auth, async (req, res) => {
    const page = await g.listJoinRequests(userIdOf(req), param(req, 'id'), queryOf(req, ['cursor', 'limit']));
    res.json({ requests: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor });
  });

  router.post('/api/groups/:id/join-requests/:rid/approve', auth, async (req, res) => {
    res.json(await g.approveJoinRequest(userIdOf(req), param(req, 'id'), param(req, 'rid')));
  });

  router.post('/api/groups/:id/join-requests/:rid/reject', auth, async (req, res) => {
    await g.rejectJoinRequest(userIdOf(req), param(req, 'id'), param(req, 'rid'));
    res.status(204).end();
  });

  router.post('/api/groups/:id/leave', auth, async (req, res) => {
    await g.leave(userIdOf(req), param(req, 'id'));
    res.status(204).end();
  });

  router.post('/api/groups/:id/mutes', auth, async (req, res) => {
    res.json(await g.mute(userIdOf(req), param(req, 'id'), bodyOf(req)));
  });

  router.delete('/api/groups/:id/mutes/:userId', auth, async (req, res) => {
    await g.unmute(userIdOf(req), param(req, 'id'), param(req, 'userId'));
    res.status(204).end();
  });

  router.put('/api/groups/:id/announcement', auth, async (req, res) => {
    res.json(await g.setAnnouncement(userIdOf(req), param(req, 'id'), bodyOf(req)));
  });

  router.put('/api/groups/:id/admins/:userId', auth, async (req, res) => {
    res.json(await g.setAdmin(userIdOf(req), param(req, 'id'), param(req, 'userId'), true));
  });

  router.delete('/api/groups/:id/admins/:userId', auth, async (req, res) => {
    res.json(await g.setAdmin(userIdOf(req), param(req, 'id'), param(req, 'userId'), false));
  });

  router.post('/api/groups/:id/transfer', auth, async (req, res) => {
    res.json(await g.transfer(userIdOf(req), param(req, 'id'), bodyOf(req)));
  });

  return router;
}
