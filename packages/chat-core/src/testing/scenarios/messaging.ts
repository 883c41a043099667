import { type ScenarioContext, scenarioContext } from '../fixtures.js';
import { type ConformanceOptions, defineArea } from '../harness.js';

/** Engine-level scenarios of the messaging area. */
export function messagingScenarios(options: ConformanceOptions): void {
  defineArea<ScenarioContext>(
    'engine.messaging',
    options,
    (fixture, store) => scenarioContext(fixture, options.probes?.(store) ?? null),
    (_test) => {},
  );
}
