// The last whole second formatted, for `iso`: dates formatted in a row mostly fall in the same
// second (a message's createdAt is "now"), and `toISOString` works out the calendar every time.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** ISO-8601 UTC string of a date (exactly `toISOString()`), or null. */
export function iso(date: Date): string;
export function iso(date: Date | null): string | null;
export function iso(date: Date | null): string | null {
  if (date === null) return null;
  const time = date.getTime();
  const second = Math.floor(time / 1000);
  if (second !== cachedSecond) {
    // An invalid date (NaN never equals the cache) throws RangeError here, as toISOString does.
    const text = date.toISOString();
    // Years outside 0000–9999 have a sign and six digits: never cached.
    if (text.length !== 24) return text;
    cachedSecond = second;
    cachedPrefix = text.slice(0, 20);
    return text;
  }
  const ms = time - second * 1000;
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

/** Parses durations like `7d`, `12h`, `30m`, `45s`, `500ms`, or a number of seconds, into ms. */
export function durationToMs(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  const match = /^(\d+)\s*(ms|s|m|h|d|w|y)?$/.exec(value.trim());
  if (!match) throw new Error(`Invalid duration: ${value}`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    y: 31_557_600_000,
  };
  return amount * (factor[unit] ?? 1000);
}
