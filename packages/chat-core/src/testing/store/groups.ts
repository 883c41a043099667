import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

/** Store-level conformance of the groups area. */
export function groupsStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.groups',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (_test) => {},
  );
}
