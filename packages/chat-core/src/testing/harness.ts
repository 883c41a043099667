/**
 * The kit's plumbing: a fresh store per test, cleanup whatever happens, and a `skip` map for gaps
 * an adapter declares (each with a reason that shows in the test report).
 */
import { describe, it } from 'vitest';
import type { ChatStore } from '../ports/store.js';

/** What `createStore` answers: a fresh, empty store and how to dispose of it. */
export interface StoreFixture {
  store: ChatStore;
  cleanup: () => Promise<void>;
}

/**
 * Raw reads straight from the adapter's database, so the kit can check what a write stored
 * without trusting the adapter to read back its own writes. Each answers the stored document as
 * a plain object with string ids and Date times, or null.
 */
export interface RawProbes {
  user(id: string): Promise<Record<string, unknown> | null>;
  message(id: string): Promise<Record<string, unknown> | null>;
  group(id: string): Promise<Record<string, unknown> | null>;
  member(groupId: string, userId: string): Promise<Record<string, unknown> | null>;
}

/** Options shared by both suites of the kit. */
export interface ConformanceOptions {
  /** A fresh, empty store for each test. */
  createStore: () => StoreFixture | Promise<StoreFixture>;
  /** Raw probes over the store's database, given the store under test. */
  probes?: (store: ChatStore) => RawProbes;
  /** Tests to skip, by full name (`area › test`), each with the reason. */
  skip?: Record<string, string>;
}

/** What a store-level test receives. */
export interface StoreTestContext {
  store: ChatStore;
  /** The adapter's raw probes, or null when it has none (reads go through the store then). */
  probes: RawProbes | null;
}

/** Registers one area's tests under `describe(area)`; `define` receives a skip-aware `test`. */
export function defineArea<C>(
  area: string,
  options: ConformanceOptions,
  makeContext: (fixture: StoreFixture, store: ChatStore) => Promise<C> | C,
  define: (test: (name: string, fn: (ctx: C) => Promise<void>) => void) => void,
): void {
  describe(area, () => {
    define((name, fn) => {
      const reason = options.skip?.[`${area} › ${name}`];
      if (reason !== undefined) {
        it.skip(`${name} (skipped: ${reason})`, () => {});
        return;
      }
      it(name, async () => {
        const fixture = await options.createStore();
        try {
          await fn(await makeContext(fixture, fixture.store));
        } finally {
          await fixture.cleanup();
        }
      });
    });
  });
}
