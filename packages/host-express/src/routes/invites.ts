/** QR codes and invites: the personal and group QR codes, resolving and redeeming tokens. */
import { Router } from 'express';
import { userIdOf } from '../http/auth.js';
import { param, queryOf } from '../http/input.js';
import type { RouteDeps } from './deps.js';

export function inviteRoutes({ engine, auth }: RouteDeps): Router {
  const router = Router();

  router.get('/api/users/me/qrcode', auth, async (req, res) => {
    res.json(await engine.invites.myQrCode(userIdOf(req), queryOf(req, ['format'])));
  });

  router.post('/api/users/me/qrcode/rotate', auth, async (req, res) => {
    res.json(await engine.invites.rotateMyQrCode(userIdOf(req), queryOf(req, ['format'])));
  });

  router.get('/api/groups/:id/qrcode', auth, async (req, res) => {
    res.json(await engine.invites.groupQrCode(userIdOf(req), param(req, 'id'), queryOf(req, ['format'])));
  });

  router.get('/api/invites/:token', auth, async (req, res) => {
    res.json(await engine.invites.resolve(userIdOf(req), param(req, 'token')));
  });

  router.post('/api/invites/:token/redeem', auth, async (req, res) => {
    res.json(await engine.invites.redeem(userIdOf(req), param(req, 'token')));
  });

  return router;
}
