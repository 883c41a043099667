/** /api/auth: accounts and sessions. */
import { type ChatEngine, isChatError } from '@parley/chat-core';
import { Router } from 'express';
import { sessionOf, userIdOf } from '../http/auth.js';
import { bodyOf, param } from '../http/input.js';
import { originOf, type RouteDeps } from './deps.js';

type VerifyInput = Parameters<ChatEngine['auth']['verifyEmail']>[0];

export function authRoutes({ engine, auth, limit }: RouteDeps): Router {
  const router = Router();

  router.post('/api/auth/register', limit('register'), async (req, res) => {
    const result = await engine.auth.register(bodyOf(req), originOf(req));
    res.status(201).json(result);
  });

  router.post('/api/auth/verify-email', limit('verify'), async (req, res) => {
    res.json(await engine.auth.verifyEmail(bodyOf(req) as VerifyInput));
  });

  router.post('/api/auth/resend-verification', limit('resend'), async (req, res) => {
    await engine.auth.resendVerification(bodyOf(req), originOf(req));
    res.status(202).json({});
  });

  router.post('/api/auth/login', limit('login'), async (req, res) => {
    res.json(await engine.auth.login(bodyOf(req), originOf(req)));
  });

  router.post('/api/auth/logout', auth, async (req, res) => {
    await engine.auth.logout(sessionOf(req));
    res.status(204).end();
  });

  router.post('/api/auth/logout-all', auth, async (req, res) => {
    await engine.auth.logoutAll(userIdOf(req));
    res.status(204).end();
  });

  router.get('/api/auth/sessions', auth, async (req, res) => {
    res.json(await engine.sessions.list(sessionOf(req)));
  });

  // Ending one's own current session is a logout; any other one closes that device's sockets.
  router.delete('/api/auth/sessions/:id', auth, async (req, res) => {
    await engine.sessions.end(sessionOf(req), param(req, 'id'));
    res.status(204).end();
  });

  router.post('/api/auth/password/forgot', limit('forgot'), async (req, res) => {
    await engine.auth.forgotPassword(bodyOf(req), originOf(req));
    res.status(202).json({});
  });

  router.post('/api/auth/password/reset', limit('reset'), async (req, res) => {
    await engine.auth.resetPassword(bodyOf(req));
    res.json({});
  });

  // The verification email links here: one click verifies, answered as a small page for a browser.
  router.get('/verify-email', limit('verify'), async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    try {
      await engine.auth.verifyEmail({ token });
      res
        .type('html')
        .send(page('Email verified', 'Your email address is verified. You can close this page.'));
    } catch (error) {
      const status = isChatError(error) ? error.status : 500;
      if (status >= 500) throw error;
      res
        .status(status)
        .type('html')
        .send(page('Link not valid', 'This link is not valid any more. Ask for a new code in the app.'));
    }
  });

  return router;
}

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}
