import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

/** Store-level conformance of the auth-tokens area. */
export function authTokensStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.auth-tokens',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (_test) => {},
  );
}
