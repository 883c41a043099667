/** ISO-8601 UTC string of a date, or null. */
export function iso(date: Date): string;
export function iso(date: Date | null): string | null;
export function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
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
