import { type ScenarioContext, scenarioContext } from '../fixtures.js';
import { type ConformanceOptions, defineArea } from '../harness.js';

/** Engine-level scenarios of the invites area. */
export function invitesScenarios(options: ConformanceOptions): void {
  defineArea<ScenarioContext>(
    'engine.invites',
    options,
    (fixture, store) => scenarioContext(fixture, options.probes?.(store) ?? null),
    (_test) => {},
  );
}
