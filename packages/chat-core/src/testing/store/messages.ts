import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

/** Store-level conformance of the messages area. */
export function messagesStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.messages',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (_test) => {},
  );
}
