/**
 * A view of a store that counts calls per method (`'messages.appendMessage'` → 2), so scenarios
 * can check that a hot path costs a constant number of store calls whatever the data size.
 */
import type { ChatStore } from '../ports/store.js';

const AREAS = new Set<PropertyKey>(['users', 'authTokens', 'social', 'messages', 'groups']);

/** Wraps `store`; `counts` fills as the wrapped store is used and may be cleared between steps. */
export function countingStore(store: ChatStore): { store: ChatStore; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const wrap = <T extends object>(area: string, target: T): T =>
    new Proxy(target, {
      get(t, key) {
        const value: unknown = Reflect.get(t, key);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const name = `${area}.${String(key)}`;
          counts.set(name, (counts.get(name) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  const counted = new Proxy(store, {
    get(t, key) {
      const value: unknown = Reflect.get(t, key);
      if (AREAS.has(key) && typeof value === 'object' && value !== null) return wrap(String(key), value);
      return value;
    },
  });
  return { store: counted, counts };
}

/** Total calls recorded, optionally only of one area (`'messages'`). */
export function totalCalls(counts: ReadonlyMap<string, number>, area?: string): number {
  let total = 0;
  for (const [name, n] of counts) if (area === undefined || name.startsWith(`${area}.`)) total += n;
  return total;
}
