/**
 * L3: Parley's host exactly as its bin builds it (`createHost` over `loadEnv(process.env)`, so
 * memoryStore, real accounts and the full pipeline), with one benchmark setting the environment
 * cannot express: the per-socket event budget (30 events/s by default, an anti-spam limit) is
 * lifted, since one benchmark connection sends thousands of messages a second. The budget is still
 * consumed on every event, through the same limiter, so its cost stays in the figures; only its
 * refusal is gone. `--bin` on run.ts starts the real bin instead, limit included.
 */
import { memoryRateLimiter, type RateLimiter } from '@parley/chat-core';
import { createHost, loadEnv } from '@parley/host-express';

const inner = memoryRateLimiter();
const rateLimiter: RateLimiter = {
  consume: (key, rule) =>
    inner.consume(key, key.startsWith('socket:') ? { ...rule, points: Number.MAX_SAFE_INTEGER } : rule),
  reset: (key) => inner.reset(key),
};

const host = await createHost({ config: loadEnv(process.env), rateLimiter });
await host.listen();
