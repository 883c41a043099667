import { type ScenarioContext, scenarioContext } from '../fixtures.js';
import { type ConformanceOptions, defineArea } from '../harness.js';

/** Engine-level scenarios of the groups area. */
export function groupsScenarios(options: ConformanceOptions): void {
  defineArea<ScenarioContext>(
    'engine.groups',
    options,
    (fixture, store) => scenarioContext(fixture, options.probes?.(store) ?? null),
    (_test) => {},
  );
}
