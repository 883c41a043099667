import type { Clock } from '../ports/clock.js';

/** A clock that only moves when told to: for expiry, mute and recall-window tests. */
export interface TestClock extends Clock {
  /** Moves time forward by `ms`. */
  advance(ms: number): void;
  /** Sets the time. */
  set(date: Date): void;
}

/** A test clock starting at `start` (default: now, rounded to the second). */
export function testClock(start: Date = new Date(Math.floor(Date.now() / 1000) * 1000)): TestClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
    },
    set(date) {
      t = date.getTime();
    },
  };
}
