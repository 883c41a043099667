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
 * write of the group rejects and none is stored. Grouped writes keep their order: a write asked
 * for while a group waits joins it, behind those already there. {@link GroupCommit.now} commits a
 * write alone, at once, ahead of any group waiting; the hot path uses it for group messages only,
 * whose rows a waiting write never touches but for cursors, and cursors only move forward (each
 * seq is a max), so which of two lands first does not change what is stored.
 *
 * The group is flushed from `setImmediate`, right after the poll phase whose I/O asked for its
 * writes: a write waits for the rest of that phase (the other sockets' events read in the same
 * turn), never for a timer. A socket's events run one after another, so its next write is only
 * asked for once its last one is answered: the writes asked for while a group's writers run on
 * are committed in further rounds of the same turn (see `#flushTurn`), not a turn later, which
 * would hold a busy socket to one event per turn.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ConnectionGate } from './sqlite-driver.js';

/** The most writes one commit takes; the rest go to the next round. */
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
  /** A turn's group is waiting for `setImmediate`. */
  #scheduled = false;
  /** The rounds of a turn are running: new writes wait for the next round, not the next turn. */
  #draining = false;
  /** Writes each in a savepoint; records each one's outcome instead of letting it end the group. */
  readonly #commit: BetterSqlite3.Transaction<(group: Pending[], outcomes: Outcome[]) => void>;
  /** One write in a transaction of its own ({@link now}). */
  readonly #single: BetterSqlite3.Transaction<(write: () => unknown) => unknown>;

  constructor(database: BetterSqlite3.Database, gate: ConnectionGate) {
    this.#database = database;
    this.#gate = gate;
    this.#single = database.transaction((write: () => unknown) => write());
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
      // While a group's writers are running on, the round after theirs takes this write.
      if (this.#draining || this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(this.#flushTurn);
    });
  }

  /**
   * Runs `write` at once in a transaction of its own (after the gate's holders), outside any
   * group: for writes whose caller gains more from going on at once than from sharing a commit
   * (see the hot path's group messages).
   */
  now<T>(write: () => T): Promise<T> {
    return this.#gate.run(() => {
      this.#assertNoOpenTransaction();
      return this.#single.immediate(write) as T;
    });
  }

  /**
   * The turn's group, right after the poll phase whose I/O asked for it. Then rounds: the writers
   * just answered run on at once (a socket's next event, a receipt after a send), and what they
   * ask for while they do is committed as the next round's group, still in this turn, until a
   * round asks for nothing. So a socket with a backlog is served as fast as without grouping
   * (one round per event, not one turn), and sockets that run on together share their rounds.
   */
  readonly #flushTurn = (): void => {
    this.#scheduled = false;
    this.#draining = true;
    this.#round();
  };

  readonly #round = (): void => {
    if (this.#queue.length === 0) {
      this.#draining = false;
      return;
    }
    const group = this.#queue.length > MAX_GROUP ? this.#queue.splice(0, MAX_GROUP) : this.#queue;
    if (group === this.#queue) this.#queue = [];
    void this.#gate.run(() => this.#run(group)).then(this.#afterRound, this.#afterRound);
  };

  /**
   * After the round's promises are settled, their writers' continuations run as microtasks; a
   * tick queued from a microtask runs once the microtask queue is empty, i.e. once every writer
   * has run on as far as it can without I/O. Then the next round.
   */
  readonly #afterRound = (): void => {
    queueMicrotask(() => process.nextTick(this.#round));
  };

  #run(group: Pending[]): void {
    const outcomes: Outcome[] = [];
    try {
      this.#assertNoOpenTransaction();
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

  /**
   * better-sqlite3 would nest our transaction in an open one as a savepoint, making our writes
   * part of someone else's transaction. The gate rules that out for Kysely's transactions; this
   * refuses one the host opened on its own database by hand, as BEGIN inside BEGIN would.
   */
  #assertNoOpenTransaction(): void {
    if (this.#database.inTransaction) {
      throw new Error(
        'cannot start a transaction within a transaction (one is open on the SQLite connection)',
      );
    }
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
