import { type ScenarioContext, scenarioContext } from '../fixtures.js';
import { type ConformanceOptions, defineArea } from '../harness.js';

/** Engine-level scenarios of the social area. */
export function socialScenarios(options: ConformanceOptions): void {
  defineArea<ScenarioContext>(
    'engine.social',
    options,
    (fixture, store) => scenarioContext(fixture, options.probes?.(store) ?? null),
    (_test) => {},
  );
}
