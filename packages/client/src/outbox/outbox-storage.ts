/**
 * Where pending sends are kept so a reload does not lose them. The port is asynchronous so an
 * IndexedDB (or SQLite, AsyncStorage …) implementation fits it as well as the two given here.
 */
import type { OutboxRecord } from './outbox-entry.js';

/**
 * Storage of the outbox's pending entries. Writes of one client happen one at a time, in order.
 */
export interface OutboxStorage {
  /** Every stored record, in any order; an empty array when none. */
  load(): Promise<OutboxRecord[]>;
  /** Stores or replaces the record with this `clientMsgId`. */
  put(record: OutboxRecord): Promise<void>;
  /** Removes the record; nothing happens when there is none. */
  remove(clientMsgId: string): Promise<void>;
}

/** Outbox storage in memory: pending sends outlive reconnects but not the process. */
export function memoryOutboxStorage(): OutboxStorage {
  const records = new Map<string, OutboxRecord>();
  return {
    load: async () => [...records.values()].map((record) => structuredClone(record)),
    put: async (record) => {
      records.set(record.clientMsgId, structuredClone(record));
    },
    remove: async (clientMsgId) => {
      records.delete(clientMsgId);
    },
  };
}

/** The part of the Web Storage API the localStorage outbox uses. */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Options of {@link localStorageOutbox}. */
export interface LocalStorageOutboxOptions {
  /** The key the records are kept under; one per signed-in user is wise. @default 'parley:outbox' */
  key?: string;
  /** @default globalThis.localStorage */
  storage?: WebStorageLike;
}

/**
 * Outbox storage in `localStorage` (browsers): every record under one key as JSON, so pending
 * sends survive a reload. Throws at creation when no storage is available.
 */
export function localStorageOutbox(options: LocalStorageOutboxOptions = {}): OutboxStorage {
  const key = options.key ?? 'parley:outbox';
  const storage = options.storage ?? (globalThis as { localStorage?: WebStorageLike }).localStorage;
  if (!storage) throw new Error('localStorageOutbox: no localStorage here; pass `storage`');
  const read = (): Record<string, OutboxRecord> => {
    const text = storage.getItem(key);
    if (!text) return {};
    try {
      const parsed = JSON.parse(text) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, OutboxRecord>) : {};
    } catch {
      return {};
    }
  };
  const write = (records: Record<string, OutboxRecord>) => {
    if (Object.keys(records).length === 0) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(records));
  };
  return {
    load: async () => Object.values(read()),
    put: async (record) => {
      const records = read();
      records[record.clientMsgId] = record;
      write(records);
    },
    remove: async (clientMsgId) => {
      const records = read();
      if (!(clientMsgId in records)) return;
      delete records[clientMsgId];
      write(records);
    },
  };
}
