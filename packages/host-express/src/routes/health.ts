/**
 * GET /health: liveness, whether the store answers and which store it is (for load balancers and
 * Render); in cluster mode also `redis: 'up' | 'down'`. Only the store decides the status code: a
 * node without Redis still serves its own sockets and every REST route, so it stays in rotation.
 */
import type { ChatEngine } from '@parley/chat-core';
import { Router } from 'express';

export function healthRoutes(engine: ChatEngine, startedAt: number, redis?: () => 'up' | 'down'): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const { store } = await engine.health();
    const uptime = Math.round((Date.now() - startedAt) / 1000);
    res.setHeader('Cache-Control', 'no-store');
    // storeKind: which store this node runs on ('sqlite', 'postgres', 'mongo', 'memory' or an
    // embedder's own), so an operator sees at a glance whether data is durable.
    const storeKind = engine.store.name;
    const body = { uptime, store, storeKind, ...(redis !== undefined && { redis: redis() }) };
    if (store === 'up') res.json({ status: 'ok', ...body });
    else res.status(503).json({ status: 'degraded', ...body });
  });
  return router;
}
