import { notImplemented } from './not-implemented.js';

/** A port whose every method throws "not implemented": a placeholder while an area is built. */
export function unimplementedPort<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, key) => () => notImplemented(`${name}.${String(key)}`),
  });
}
