import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

/** Store-level conformance of the users area. */
export function usersStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.users',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (_test) => {},
  );
}
