import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

/** Store-level conformance of the social area. */
export function socialStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.social',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (_test) => {},
  );
}
