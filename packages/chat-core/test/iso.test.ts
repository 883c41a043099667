import { describe, expect, it } from 'vitest';
import { iso } from '../src/util/time.js';

describe('iso', () => {
  it('answers exactly what toISOString does, within a second and across seconds', () => {
    const base = Date.UTC(2026, 11, 1, 15, 4, 59, 990);
    // Rising, falling and repeated times around second boundaries, then random ones anywhere.
    const times = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, -1, -1000, -1001];
    for (let i = 0; i < 40; i++) times.push(base + i * 3, base - i * 7);
    for (let i = 0; i < 2000; i++) times.push(Math.round((Math.random() - 0.5) * 2 * 8.64e15));
    times.push(8.64e15, -8.64e15, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1));
    for (const time of times) expect(iso(new Date(time))).toBe(new Date(time).toISOString());
  });

  it('passes null through and refuses an invalid date as toISOString does', () => {
    expect(iso(null)).toBeNull();
    expect(() => iso(new Date(Number.NaN))).toThrow(RangeError);
  });
});
