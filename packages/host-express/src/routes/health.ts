/** GET /health: liveness, whether the store answers and which store it is (for load balancers and Render). */
import type { ChatEngine } from '@parley/chat-core';
import { Router } from 'express';

export function healthRoutes(engine: ChatEngine, startedAt: number): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const { store } = await engine.health();
    const uptime = Math.round((Date.now() - startedAt) / 1000);
    res.setHeader('Cache-Control', 'no-store');
    // storeKind: which store this node runs on ('sqlite', 'postgres', 'mongo', 'memory' or an
    // embedder's own), so an operator sees at a glance whether data is durable.
    const storeKind = engine.store.name;
    if (store === 'up') res.json({ status: 'ok', uptime, store, storeKind });
    else res.status(503).json({ status: 'degraded', uptime, store, storeKind });
  });
  return router;
}
