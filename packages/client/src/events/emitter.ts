/**
 * A small typed emitter with no dependency on Node's `events`, so the browser build stays free of
 * Node built-ins. A listener that throws never stops the others.
 */

/** Subscribe/unsubscribe half of an emitter, what the SDK exposes. */
export interface Listenable<Events extends object> {
  /** Adds a listener; answers a function that removes it. */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
  /** Removes a listener added with `on`; nothing happens when it was not there. */
  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void;
  /** Adds a listener that runs once. */
  once<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
}

/** An emitter: {@link Listenable} plus `emit`, kept inside the SDK. */
export interface Emitter<Events extends object> extends Listenable<Events> {
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
  /** Removes every listener. */
  clear(): void;
}

/** Creates an {@link Emitter}. `onListenerError` hears what a listener threw. */
export function createEmitter<Events extends object>(
  onListenerError: (error: unknown) => void = (error) => {
    queueMicrotask(() => {
      throw error;
    });
  },
): Emitter<Events> {
  type AnyListener = (payload: unknown) => void;
  const listeners = new Map<keyof Events, Set<AnyListener>>();
  const emitter: Emitter<Events> = {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as AnyListener);
      return () => emitter.off(event, listener);
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener as AnyListener);
    },
    once(event, listener) {
      const off = emitter.on(event, (payload) => {
        off();
        listener(payload);
      });
      return off;
    },
    emit(event, payload) {
      const set = listeners.get(event);
      if (!set) return;
      for (const listener of [...set]) {
        try {
          listener(payload);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    clear() {
      listeners.clear();
    },
  };
  return emitter;
}
