/** How every engine-level scenario suite declares its area, and the engines a scenario builds for itself. */
import { type ChatEngine, type ChatEngineOptions, createChatEngine } from '../../engine.js';
import { SCENARIO_CONFIG, type ScenarioContext, scenarioContext } from '../fixtures.js';
import { type ConformanceOptions, defineArea } from '../harness.js';

/**
 * Declares an engine-level area of the kit: each test gets a fresh {@link ScenarioContext} over
 * the store the options create, with the adapter's raw probes when it passed them.
 */
export function defineScenarios(
  area: string,
  options: ConformanceOptions,
  define: (test: (name: string, fn: (ctx: ScenarioContext) => Promise<void>) => void) => void,
): void {
  defineArea<ScenarioContext>(
    area,
    options,
    (fixture, store) => scenarioContext(fixture, options.probes?.(store) ?? null),
    define,
  );
}

/**
 * A second engine over the scenario's store, mailer and clock with the scenario config, some parts
 * swapped (a counting store, a presence to drive, a failing mailer). The caller closes it.
 */
export function engineOver(ctx: ScenarioContext, parts: Partial<ChatEngineOptions> = {}): ChatEngine {
  return createChatEngine({
    store: ctx.store,
    mailer: ctx.mailer,
    clock: ctx.clock,
    config: SCENARIO_CONFIG,
    ...parts,
  });
}
