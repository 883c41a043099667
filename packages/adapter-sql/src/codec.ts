/**
 * How values cross into each dialect: PostgreSQL takes Dates and booleans as they are, SQLite
 * (better-sqlite3 binds neither) takes milliseconds and 0/1. Lists and the announcement are JSON
 * text on both. One codec per store, chosen by its dialect.
 */
import type { DbBool, DbDate } from './database.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Codec {
  readonly dialect: DialectName;
  date(value: Date): DbDate;
  dateOrNull(value: Date | null | undefined): DbDate | null;
  bool(value: boolean): DbBool;
}

export function codecFor(dialect: DialectName): Codec {
  if (dialect === 'postgres') {
    return {
      dialect,
      date: (value) => new Date(value.getTime()),
      dateOrNull: (value) => (value === null || value === undefined ? null : new Date(value.getTime())),
      bool: (value) => value,
    };
  }
  return {
    dialect,
    date: (value) => value.getTime(),
    dateOrNull: (value) => (value === null || value === undefined ? null : value.getTime()),
    bool: (value) => (value ? 1 : 0),
  };
}

/** A stored time as a fresh Date (either dialect's form). */
export function readDate(value: DbDate | string): Date {
  if (value instanceof Date) return new Date(value.getTime());
  return new Date(typeof value === 'string' ? Number(value) : value);
}

export function readDateOrNull(value: DbDate | string | null): Date | null {
  return value === null ? null : readDate(value);
}

export function readBool(value: DbBool): boolean {
  return value === true || value === 1;
}

/** A JSON list of strings stored as text; anything else reads as empty. */
export function readList(value: string): string[] {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** A count or integer that PostgreSQL may answer as a string (bigint). */
export function readInt(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}
