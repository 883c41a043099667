/** The roaming window: how far back clients may load history (`MESSAGE_ROAMING_DAYS`). */
import type { EngineContext } from '../context.js';

const DAY_MS = 86_400_000;

/**
 * Start of the roaming window, or undefined when all history is served (`messageRoamingDays` 0).
 * Messages are kept whatever the window; it only limits what history pages and the conversation
 * list show.
 */
export function roamingStart(ctx: Pick<EngineContext, 'config' | 'clock'>): Date | undefined {
  const days = ctx.config.messageRoamingDays;
  if (days <= 0) return undefined;
  return new Date(ctx.clock.now().getTime() - days * DAY_MS);
}
