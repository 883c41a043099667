/** GET /health: liveness plus whether the store answers (for load balancers and Render). */
import type { ChatEngine } from '@parley/chat-core';
import { Router } from 'express';

export function healthRoutes(engine: ChatEngine, startedAt: number): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const { store } = await engine.health();
    const uptime = Math.round((Date.now() - startedAt) / 1000);
    res.setHeader('Cache-Control', 'no-store');
    if (store === 'up') res.json({ status: 'ok', uptime, store });
    else res.status(503).json({ status: 'degraded', uptime, store });
  });
  return router;
}
