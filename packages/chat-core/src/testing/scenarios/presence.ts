import { type ScenarioContext, scenarioContext } from '../fixtures.js';
import { type ConformanceOptions, defineArea } from '../harness.js';

/** Engine-level scenarios of the presence area. */
export function presenceScenarios(options: ConformanceOptions): void {
  defineArea<ScenarioContext>(
    'engine.presence',
    options,
    (fixture, store) => scenarioContext(fixture, options.probes?.(store) ?? null),
    (_test) => {},
  );
}
