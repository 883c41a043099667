/**
 * Group commit for the SQLite hot path: the writes asked for in one turn of the event loop are
 * committed together, in one transaction, each in a savepoint of its own.
 *
 * In WAL mode a commit appends every page it changed to the log: a private message writes about
 * fifteen pages (the message row, its indexes, the conversation row, the search index's segment,
 * the sender's cursor), and a receipt a few more. Under load most of those pages are the same
 * for the messages of one turn (the table's last leaf, the search index's structure record, the
 * rows of busy conversations), and so are the commit's own costs (BEGIN's lock, the log's frame
 * headers, the WAL-index update). One commit per turn writes each page once, which is where a
 * SQLite host's CPU goes in `pnpm bench` (see BENCHMARKS.md).
 *
 * Nothing is acknowledged before its commit: each write's promise settles only after the group's
 * COMMIT returns, so "acknowledged means stored" holds as before. A write that throws rolls back
 * its own savepoint only (better-sqlite3 nests a transaction function called inside another as a
 * savepoint) and rejects its own promise; the others commit. Should the COMMIT itself fail, every
 * write of the group rejects and none is stored. Writes keep their order: a write asked for while
 * a group waits joins it, behind those already there.
 *
 * The group is flushed from `setImmediate`, right after the poll phase whose I/O asked for its
 * writes: a write waits for the rest of that phase (the other sockets' events read in the same
 * turn), never for a timer.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ConnectionGate } from './sqlite-driver.js';

/** The most writes one commit takes; the rest go to the next turn's group. */
export const MAX_GROUP = 256;

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Collects a turn's writes and commits them in one transaction on the store's connection. */
export class GroupCommit {
  readonly #gate: ConnectionGate;
  readonly #database: BetterSqlite3.Database;
  #queue: Pending[] = [];
  #scheduled = false;
  /** Writes each in a savepoint; records each one's outcome instead of letting it end the group. */
  readonly #commit: BetterSqlite3.Transaction<(group: Pending[], outcomes: Outcome[]) => void>;

  constructor(database: BetterSqlite3.Database, gate: ConnectionGate) {
    this.#database = database;
    this.#gate = gate;
    this.#commit = database.transaction((group: Pending[], outcomes: Outcome[]) => {
      for (const pending of group) {
        try {
          outcomes.push({ ok: true, value: pending.write() });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
  }

  /**
   * Runs `write` in the next group commit and resolves with what it returned once that commit is
   * durable. `write` must be synchronous and must be a better-sqlite3 transaction function (or
   * run only statements), so that a throw rolls back its own changes and nothing else.
   */
  submit<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const group = this.#queue.length > MAX_GROUP ? this.#queue.splice(0, MAX_GROUP) : this.#queue;
    if (group === this.#queue) this.#queue = [];
    if (this.#queue.length > 0) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
    void this.#gate.run(() => this.#run(group));
  };

  #run(group: Pending[]): void {
    const outcomes: Outcome[] = [];
    try {
      if (this.#database.inTransaction) {
        throw new Error(
          'cannot start a transaction within a transaction (one is open on the SQLite connection)',
        );
      }
      this.#commit.immediate(group, outcomes);
    } catch (error) {
      // BEGIN or COMMIT failed (busy, disk full, closed): the whole group is rolled back.
      for (const pending of group) pending.reject(error);
      return;
    }
    for (let i = 0; i < group.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.ok) group[i]!.resolve(outcome.value);
      else group[i]!.reject(outcome.error);
    }
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
