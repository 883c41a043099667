/** The run's outputs: the console table, bench/results/latest.json and BENCHMARKS.md. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type BenchResults,
  type HistoryFigure,
  idleBytes,
  type LayerId,
  type LoginFigure,
  type Spread,
  type TargetResult,
} from './results.js';

type Cell = string;
interface Row {
  scenario: string;
  metric: string;
  L1: Cell;
  L2: Cell;
  L2r?: Cell;
  L3: Cell;
  /** Parley ÷ L2r (median of the rounds, min–max). */
  ratioR?: Cell;
  /** Parley ÷ L2 (median of the rounds, min–max). */
  ratio: Cell;
  target: Cell;
  result: Cell;
}

const dash = '—';
const kb = (bytes: number | null) => (bytes == null ? null : bytes / 1024);
function fmt(v: number | null | undefined, digits = 0): Cell {
  if (v == null || !Number.isFinite(v)) return dash;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
const fmtRatio = (a: number | null | undefined, b: number | null | undefined): Cell =>
  a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0
    ? dash
    : `${(a / b).toFixed(2)}×`;
const verdict = (t: TargetResult | undefined): Cell =>
  !t || t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'MISS';

/** A ratio taken within each round: median, and min–max when there were several rounds. */
const spreadCell = (s: Spread | undefined, digits = 2, unit = '×'): Cell => {
  if (!s) return dash;
  const f = (v: number) => v.toFixed(digits);
  return s.values.length > 1 ? `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})` : `${f(s.median)}${unit}`;
};

function layerCell(r: BenchResults, layer: LayerId, value: Cell): Cell {
  const s = r.layers[layer].status;
  if (s === 'ok') return value;
  return s;
}

/** The four layers' cells of one figure (`figure` reads it from a layer's record, if it ran). */
function layerCells(
  r: BenchResults,
  figure: (layer: LayerId) => number | null | undefined,
  digits?: number,
): Record<LayerId, Cell> {
  const cell = (layer: LayerId) => layerCell(r, layer, fmt(figure(layer), digits));
  return { L1: cell('L1'), L2: cell('L2'), L2r: cell('L2r'), L3: cell('L3') };
}

/** Rows of the table: Parley's figure, the baselines and Parley's ratio to L2. */
export function tableRows(r: BenchResults): Row[] {
  const t = new Map(r.targets.map((x) => [x.id, x]));
  const rows: Row[] = [];
  const tp = r.throughput;
  const sp = r.spreads;
  const tgt = (id: string) => t.get(id);
  rows.push({
    scenario: '1. 1:1 throughput',
    metric: 'delivered msgs/s',
    ...layerCells(r, (layer) => tp[layer]?.msgsPerSec),
    ratioR: spreadCell(sp['throughput.L3/L2r']),
    ratio: spreadCell(sp['throughput.L3/L2']),
    target: '≥ 0.80× L2r',
    result: verdict(tgt('T1-throughput')),
  });
  rows.push({
    scenario: '',
    metric: 'server CPU-µs / msg',
    ...layerCells(r, (layer) => tp[layer]?.cpuUsPerMsg, 1),
    ratioR: spreadCell(sp['cpu.L3/L2r']),
    ratio: spreadCell(sp['cpu.L3/L2']),
    target: '≤ 1.25× L2r',
    result: verdict(tgt('T1-cpu')),
  });
  rows.push({
    scenario: '',
    metric: 'heap + external kept, B / msg sent',
    L1: layerCell(r, 'L1', fmt(tp.L1?.retainedBytesPerMsg)),
    L2: layerCell(r, 'L2', fmt(tp.L2?.retainedBytesPerMsg)),
    L2r: layerCell(r, 'L2r', fmt(tp.L2r?.retainedBytesPerMsg)),
    L3: `${spreadCell(sp['retained.L3'], 0, ' B')}${r.l3Store === 'memory' ? ' (incl. store)' : ''}`,
    ratioR: '',
    ratio: '',
    target: r.l3Store === 'memory' ? 'info (memoryStore)' : '≤ 100 B',
    result: verdict(tgt('T4-retained')),
  });
  for (const rate of Object.keys(r.latency)) {
    const l = r.latency[rate]!;
    for (const p of ['p50', 'p99'] as const) {
      const isTarget = rate === '2000' && p === 'p99';
      rows.push({
        scenario: p === 'p50' ? `2. 1:1 latency @ ${fmt(Number(rate))}/s` : '',
        metric: `${p} ms (open loop)`,
        L1: layerCell(r, 'L1', fmt(l.L1?.[p], 2)),
        L2: layerCell(r, 'L2', fmt(l.L2?.[p], 2)),
        L2r: layerCell(r, 'L2r', fmt(l.L2r?.[p], 2)),
        L3:
          p === 'p99' && sp[`p99@${rate}.L3`]
            ? spreadCell(sp[`p99@${rate}.L3`], 2, '')
            : layerCell(r, 'L3', fmt(l.L3?.[p], 2)),
        ratioR: p === 'p99' ? spreadCell(sp[`p99@${rate}.L3/L2r`]) : '',
        ratio: p === 'p99' ? spreadCell(sp[`p99@${rate}.L3/L2`]) : '',
        target: isTarget ? '≤ 20 ms' : '',
        result: isTarget ? verdict(tgt('T2-p99')) : '',
      });
    }
    // At a fixed rate nothing batches (each frame its own read or write): what a message costs on
    // a server that is not saturated, which the login scenario's 1:1 traffic pays too.
    rows.push({
      scenario: '',
      metric: 'server CPU-µs / msg (info)',
      ...layerCells(r, (layer) => l[layer]?.cpuUsPerMsg, 1),
      ratioR: '',
      ratio: '',
      target: '',
      result: '',
    });
  }
  for (const members of Object.keys(r.fanout)) {
    const f = r.fanout[members]!;
    const isTarget = members === '1000';
    rows.push({
      scenario: `3. fan-out to ${members}`,
      metric: 'deliveries/s',
      L1: '',
      L2: layerCell(r, 'L2', fmt(f.L2?.deliveriesPerSec)),
      L3: layerCell(r, 'L3', fmt(f.L3?.deliveriesPerSec)),
      ratio: spreadCell(sp[`fanout@${members}.L3/L2`]),
      target: isTarget ? '≥ 0.90× L2' : '',
      result: isTarget ? verdict(tgt('T3-fanout')) : '',
    });
    rows.push({
      scenario: '',
      metric: 'server CPU-µs / delivery',
      L1: '',
      L2: layerCell(r, 'L2', fmt(f.L2?.cpuUsPerDelivery, 2)),
      L3: layerCell(r, 'L3', fmt(f.L3?.cpuUsPerDelivery, 2)),
      ratio: spreadCell(sp[`fanoutCpu@${members}.L3/L2`]),
      target: '',
      result: '',
    });
  }
  const idle = r.idle;
  const conns = idle.L3?.connections ?? idle.L2?.connections;
  rows.push({
    scenario: `4. ${fmt(conns)} idle connections`,
    metric: 'heap + external KB / connection',
    L1: '',
    L2: layerCell(r, 'L2', fmt(kb(idleBytes(idle.L2)), 1)),
    L3: layerCell(r, 'L3', fmt(kb(idleBytes(idle.L3)), 1)),
    ratio: fmtRatio(idleBytes(idle.L3), idleBytes(idle.L2)),
    target: '≤ 1.20×',
    result: verdict(t.get('T4-memory')),
  });
  rows.push({
    scenario: '',
    metric: 'RSS KB / connection (info)',
    L1: '',
    L2: layerCell(r, 'L2', fmt(idle.L2 && kb(idle.L2.rssPerConnBytes), 1)),
    L3: layerCell(r, 'L3', fmt(idle.L3 && kb(idle.L3.rssPerConnBytes), 1)),
    ratio: fmtRatio(idle.L3?.rssPerConnBytes, idle.L2?.rssPerConnBytes),
    target: '',
    result: '',
  });
  if (r.login.status === 'ok') {
    const lg = r.login as LoginFigure;
    rows.push({
      scenario: `5. login (bcrypt cost ${lg.bcryptCost})`,
      metric: `logins/s with 1:1 running (ceiling ${fmt(lg.ceilingPerSec, 1)})`,
      L1: '',
      L2: '',
      L3: fmt(lg.loginsPerSec, 1),
      ratio: `${(lg.loginsPerSec / lg.ceilingPerSec).toFixed(2)}× ceil`,
      target: '≥ 0.90× ceil',
      result: verdict(t.get('T5-login')),
    });
    if (lg.aloneLoginsPerSec != null) {
      rows.push({
        scenario: '',
        metric: 'logins/s with no messaging',
        L1: '',
        L2: '',
        L3: fmt(lg.aloneLoginsPerSec, 1),
        ratio: `${(lg.aloneLoginsPerSec / lg.ceilingPerSec).toFixed(2)}× ceil`,
        target: '',
        result: '',
      });
    }
    rows.push({
      scenario: '',
      metric: `1:1 p99 ms @ ${fmt(lg.concurrent.rate)}/s during logins`,
      L1: '',
      L2: '',
      L3: fmt(lg.concurrent.p99, 2),
      ratio: '',
      target: '≤ 50 ms',
      result: verdict(t.get('T5-p99')),
    });
  } else {
    rows.push({
      scenario: '5. login',
      metric: 'logins/s',
      L1: '',
      L2: '',
      L3: r.login.status,
      ratio: '',
      target: '≥ 0.90× ceil',
      result: 'n/a',
    });
  }
  const h = r.history.memory;
  if (h.status === 'ok') {
    const hf = h as HistoryFigure;
    rows.push({
      scenario: `6. history, ${fmt(hf.messages)} msgs (memory)`,
      metric: 'engine page p50 / p99 ms',
      L1: '',
      L2: '',
      L3: `${fmt(hf.engine.p50, 3)} / ${fmt(hf.engine.p99, 3)}`,
      ratio: '',
      target: 'p99 < 2 ms',
      result: verdict(t.get('T6-history')),
    });
  } else {
    rows.push({
      scenario: '6. history (memory)',
      metric: 'engine page p99 ms',
      L1: '',
      L2: '',
      L3: h.status,
      ratio: '',
      target: 'p99 < 2 ms',
      result: 'n/a',
    });
  }
  for (const [key, label] of [
    ['sqlite', 'SQLite'],
    ['postgres', 'PostgreSQL'],
  ] as const) {
    const x = r.history[key];
    if (x === undefined) continue;
    if (x.status !== 'ok') {
      rows.push({
        scenario: `6. history (${label})`,
        metric: 'engine page p99 ms',
        L1: '',
        L2: '',
        L3: x.status,
        ratio: '',
        target: 'p99 < 5 ms',
        result: 'n/a',
      });
      continue;
    }
    const xf = x as HistoryFigure;
    const pass = xf.messages >= 1_000_000 ? (xf.engine.p99 < 5 ? 'PASS' : 'MISS') : 'n/a';
    rows.push({
      scenario: `6. history, ${fmt(xf.messages)} msgs (${label})`,
      metric: 'engine page p50 / p99 ms',
      L1: '',
      L2: '',
      L3: `${fmt(xf.engine.p50, 3)} / ${fmt(xf.engine.p99, 3)}`,
      ratio: '',
      target: 'p99 < 5 ms',
      result: pass,
    });
    if (xf.send && xf.sendLoopDelay) {
      rows.push({
        scenario: '',
        metric: 'private send p99 ms / event-loop delay max ms',
        L1: '',
        L2: '',
        L3: `${fmt(xf.send.p99, 2)} / ${fmt(xf.sendLoopDelay.max, 2)}`,
        ratio: '',
        target: key === 'sqlite' ? 'loop ≤ 2 ms' : '',
        result: key === 'sqlite' ? (xf.sendLoopDelay.max <= 2 ? 'PASS' : 'MISS') : '',
      });
    }
  }
  const m = r.history.mongo;
  rows.push({
    scenario: '6. history (MongoDB)',
    metric: 'engine page p99 ms',
    L1: '',
    L2: '',
    L3: m.status === 'ok' ? fmt((m as HistoryFigure).engine.p99, 3) : m.status,
    ratio: '',
    target: '',
    result: '',
  });
  return rows;
}

const HEAD = [
  'scenario',
  'metric',
  'L1 ws',
  'L2 socket.io',
  'L2r +receipts',
  'L3 Parley',
  'Parley ÷ L2r',
  'Parley ÷ L2',
  'target',
  'result',
];
const NUMERIC = (i: number) => i >= 2 && i <= 7;
const cells = (row: Row) => [
  row.scenario,
  row.metric,
  row.L1,
  row.L2,
  row.L2r ?? '',
  row.L3,
  row.ratioR ?? '',
  row.ratio,
  row.target,
  row.result,
];

/** A fixed-width table for the terminal. */
export function renderText(r: BenchResults): string {
  const rows = tableRows(r).map(cells);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (NUMERIC(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  const targets = r.targets.map(
    (t) =>
      `${t.id.padEnd(14)} ${(t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'MISS').padEnd(5)} median ${t.value == null ? dash : t.value.toFixed(2)}${t.min == null ? '' : ` (min–max ${t.min.toFixed(2)}–${t.max!.toFixed(2)}, ${t.rounds} rounds)`} ${t.limit}  ${t.description}`,
  );
  return [
    line(HEAD),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    `${r.rounds.length} round(s), order rotated; ${r.pinning.note}; L3 store ${r.l3Store}`,
    ...targets,
  ].join('\n');
}

/** The same table in Markdown. */
export function renderMarkdown(r: BenchResults): string {
  const rows = tableRows(r).map(cells);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (NUMERIC(i) ? '---:' : '---')).join('|')}|`,
    ...rows.map((c) => `| ${c.map(esc).join(' | ')} |`),
  ].join('\n');
}

/**
 * The results file of a run: `latest.json` for L3 on memoryStore (the default), and
 * `latest-<store>.json` for another store, so a SQLite run is kept beside the memory one.
 */
export function resultsFileName(r: Pick<BenchResults, 'l3Store'>): string {
  return r.l3Store === 'memory' ? 'latest.json' : `latest-${r.l3Store}.json`;
}

export function writeJson(dir: string, r: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, resultsFileName(r));
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}

function machineMarkdown(r: BenchResults): string {
  const m = r.machine;
  return [
    `- CPU: ${m.cpuModel}, ${m.nproc} cores (\`nproc\`); memory ${m.memoryGiB} GiB`,
    `- Node ${m.node} (V8 ${m.v8}), ${m.os}`,
    `- Native add-ons, shared by every layer: bcrypt ${m.nativeAddons.bcrypt}; ws bufferutil ${m.nativeAddons.bufferutil ? 'yes' : 'no'}, utf-8-validate ${m.nativeAddons.utf8Validate ? 'yes' : 'no'}`,
    `- Load average when the run started: ${m.loadAverage.join(' / ')} (1/5/15 min)`,
  ].join('\n');
}

function layersMarkdown(r: BenchResults): string {
  return (Object.keys(r.layers) as LayerId[])
    .map((id) => {
      const l = r.layers[id];
      const why = l.reason ? `: ${l.reason.split('\n')[0]!.slice(0, 200)}` : '';
      const smoke = l.smoke ? ` (smoke: ${l.smoke.ok ? 'ok' : 'FAILED'}, ${l.smoke.detail})` : '';
      return `- ${id}: ${l.status}${why}${smoke}`;
    })
    .join('\n');
}

/** Every target with the value it reads: median over the rounds, min–max, and the verdict. */
export function targetsMarkdown(r: BenchResults): string {
  const f = (v: number | null | undefined) =>
    v == null ? dash : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return [
    '| target | what | median | min–max | rounds | limit | result |',
    '|---|---|---:|---:|---:|---|---|',
    ...r.targets.map(
      (t) =>
        `| ${t.id} | ${t.description.replace(/\|/g, '\\|')} | ${f(t.value)} | ${t.min == null ? dash : `${f(t.min)}–${f(t.max)}`} | ${t.rounds ?? 1} | ${t.limit} | ${verdict(t)} |`,
    ),
  ].join('\n');
}

export function latestMarkdown(r: BenchResults): string {
  const missed = r.targets.filter((t) => t.pass === false).map((t) => t.id);
  const open = r.targets.filter((t) => t.pass === null).map((t) => t.id);
  return [
    `Run: \`${r.mode}\`, ${r.startedAt}, ${r.elapsedSeconds.toFixed(0)} s; ${r.rounds.length} round(s), layer order rotated (${r.rounds.map((x) => x.order.join('→')).join('; ')}); ${r.pinning.note}; L3 store: ${r.l3Store}; load average at the start ${r.machine.loadAverage.join(' / ')}; budgets set: ${Object.entries(
      r.budgets,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    '',
    'Layer cells are medians over the rounds; ratio cells are the median of the ratios taken within each round, with min–max in brackets.',
    '',
    renderMarkdown(r),
    '',
    targetsMarkdown(r),
    '',
    `Targets missed: ${missed.length ? missed.join(', ') : 'none'}; not measured: ${open.length ? open.join(', ') : 'none'}.`,
    '',
    'Layers:',
    '',
    layersMarkdown(r),
    ...(r.notes.length ? ['', 'Notes:', '', ...r.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

const MARK = {
  machine: ['<!-- bench:machine:begin -->', '<!-- bench:machine:end -->'],
  latest: ['<!-- bench:latest:begin -->', '<!-- bench:latest:end -->'],
} as const;

/** The latest-results section of a run's store: `bench:latest` for memory, `bench:latest-<store>` otherwise. */
function latestMark(r: Pick<BenchResults, 'l3Store'>): readonly [string, string] {
  if (r.l3Store === 'memory') return MARK.latest;
  return [`<!-- bench:latest-${r.l3Store}:begin -->`, `<!-- bench:latest-${r.l3Store}:end -->`];
}

function replaceBetween(doc: string, [begin, end]: readonly [string, string], body: string): string {
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n${begin}\n${body}\n${end}\n`;
  return `${doc.slice(0, a + begin.length)}\n${body}\n${doc.slice(b)}`;
}

/**
 * Refreshes the machine and latest-results sections of BENCHMARKS.md between their markers,
 * leaving the method and the before/after notes as people wrote them.
 */
export function updateBenchmarksDoc(file: string, template: string, r: BenchResults): void {
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : template;
  // The machine section describes the memory run's machine; another store's section says its own load.
  if (r.l3Store === 'memory') doc = replaceBetween(doc, MARK.machine, machineMarkdown(r));
  doc = replaceBetween(doc, latestMark(r), latestMarkdown(r));
  writeFileSync(file, doc);
  // The repository's formatter owns the layout of Markdown tables: let it lay out the new one, so
  // `biome check .` stays clean after every run.
  const biome = join(dirname(file), 'node_modules/.bin/biome');
  if (existsSync(biome)) {
    try {
      execFileSync(biome, ['format', '--write', file], { stdio: 'ignore' });
    } catch {
      // formatting is a nicety; the figures are written either way
    }
  }
}
