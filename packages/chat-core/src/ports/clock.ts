/** The time source of the engine; tests pass a controllable one. */
export interface Clock {
  /** The current time. Must never go backwards within one engine. */
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
