/**
 * L3: Parley's host exactly as its bin builds it (`createHost` over `loadEnv(process.env)`: the
 * store the environment names, real accounts and the full pipeline). The orchestrator lifts each
 * user's event budget through the environment (`EVENTS_PER_SECOND`, `EVENT_BURST`), since one
 * benchmark connection sends thousands of messages a second; the budget is still charged on every
 * event, so its cost stays in the figures. `--bin` on run.ts starts the real bin instead.
 */
import { createHost, loadEnv } from '@parley/host-express';

const host = await createHost({ config: loadEnv(process.env) });
await host.listen();
