/**
 * `pnpm bench --only=search`: search-bench.ts as a child process on SQLite, then PostgreSQL (a
 * scratch database the caller creates and drops), each filled to `messages` or its time budget.
 * The figures are logged, written to bench/search/latest.json and given back as notes for the
 * run's results; the 50 ms p99 target is checked on the engine call.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnce } from '../lib/processes.js';
import type { SearchFigure, SearchSettings } from './search-bench.js';

/** The target: a search over 1M stored messages under 50 ms at p99. */
export const SEARCH_P99_TARGET_MS = 50;

export interface SearchRunOptions {
  quick: boolean;
  /** A fresh PostgreSQL database's URL (dropped by the caller at the end). */
  scratchPostgres(): Promise<string>;
  log(line: string): void;
}

type SearchOutcome = SearchFigure | { status: 'failed' | 'skipped'; store: string; reason: string };

const here = dirname(fileURLToPath(import.meta.url));

/** Runs both stores; answers one line per store for the run's notes. */
export async function runSearch(options: SearchRunOptions): Promise<string[]> {
  const messages = Number(process.env.BENCH_SEARCH_MESSAGES ?? (options.quick ? 100_000 : 1_000_000));
  const fillBudgetMs = Number(process.env.BENCH_SEARCH_FILL_BUDGET_MS ?? (options.quick ? 30_000 : 600_000));
  const iterations = Number(process.env.BENCH_SEARCH_ITERATIONS ?? (options.quick ? 600 : 1500));
  const outcomes: SearchOutcome[] = [];
  for (const store of ['sqlite', 'postgres'] as const) {
    try {
      const settings: SearchSettings = {
        store,
        ...(store === 'postgres' && { databaseUrl: await options.scratchPostgres() }),
        messages,
        iterations,
        fillBudgetMs,
      };
      const answer = await runOnce<{ ok: true; figure: SearchFigure } | { ok: false; error: string }>({
        script: join(here, 'search-bench.ts'),
        nodeArgs: ['--conditions=parley-source', '--max-old-space-size=4096'],
        env: { BENCH_SEARCH: JSON.stringify(settings) },
        timeoutMs: fillBudgetMs + 300_000,
      });
      if (!answer.ok) throw new Error(answer.error);
      outcomes.push(answer.figure);
    } catch (error) {
      outcomes.push({
        status: 'failed',
        store,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  writeFileSync(
    join(here, 'latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), outcomes }, null, 2)}\n`,
  );
  return outcomes.map((o) => {
    if (o.status !== 'ok') {
      const line = `search (${o.store}) ${o.status}: ${o.reason.split('\n')[0]}`;
      options.log(line);
      return line;
    }
    const verdict = o.engine.p99 < SEARCH_P99_TARGET_MS ? 'PASS' : 'MISS';
    const partial = o.messages < messages ? ` (fill budget stopped at ${o.messages} of ${messages})` : '';
    const line =
      `search (${o.store}, ${o.messages} msgs${partial}, filled in ${o.fillSeconds.toFixed(1)} s): engine p50 ${o.engine.p50.toFixed(2)} ms, p99 ${o.engine.p99.toFixed(2)} ms, max ${o.engine.max.toFixed(1)} ms; store p99 ${o.store_.p99.toFixed(2)} ms; ${verdict} (p99 < ${SEARCH_P99_TARGET_MS} ms); per query p50/p99 ` +
      o.queries.map((q) => `"${q.q}" ${q.p50}/${q.p99} (${q.hits} hits)`).join(', ');
    options.log(line);
    return line;
  });
}
