/**
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile|file.heapprofile> [top] [messages]`:
 * where a profile from `pnpm bench --profile` spends its time (a .cpuprofile) or its allocations
 * (a .heapprofile): self time or bytes by function and by file, with node_modules grouped by
 * package, so a hot spot can be taken to the right layer. With `messages` (the window's message
 * count) a heap summary also prints bytes per message.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
  process.exit(1);
}
const top = Number(topArg ?? 30);
const perMessage = Number(process.argv[4] ?? 0);

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** A sampled allocation profile: self bytes, as for time, with bytes per message when given. */
function heapProfile(head: HeapNode): Profile {
  const nodes: ProfileNode[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  const walk = (n: HeapNode): number => {
    const id = nodes.length + 1;
    const node: ProfileNode = { id, callFrame: n.callFrame, children: [] };
    nodes.push(node);
    if (n.selfSize > 0) {
      samples.push(id);
      timeDeltas.push(n.selfSize);
    }
    for (const c of n.children) node.children?.push(walk(c));
    return id;
  };
  walk(head);
  return { nodes, samples, timeDeltas };
}

const raw = JSON.parse(readFileSync(file, 'utf8')) as Profile | { head: HeapNode };
const isHeap = 'head' in raw;
const profile = 'head' in raw ? heapProfile(raw.head) : raw;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function place(url: string): string {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `pkg:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const pk = url.indexOf('/packages/');
  if (pk >= 0) return url.slice(pk + 1);
  const b = url.indexOf('/bench/');
  if (b >= 0) return url.slice(b + 1);
  return url.replace(/^node:/, 'node:');
}

const fns = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  const where = place(n.callFrame.url);
  const name = `${n.callFrame.functionName || '(anonymous)'}  ${where}:${n.callFrame.lineNumber + 1}`;
  fns.set(name, (fns.get(name) ?? 0) + us);
  const fileKey = where.startsWith('packages/') ? where : where.split(':').slice(0, 2).join(':');
  files.set(fileKey, (files.get(fileKey) ?? 0) + us);
}
// Inclusive time: every function on a sample's stack gets the sample once (recursion counted once).
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
const keyOf = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${place(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
profile.samples.forEach((id, i) => {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const n = byId.get(at);
    if (!n?.callFrame.url.includes('/packages/')) continue;
    const key = keyOf(n);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
});

const pct = (us: number) =>
  `${((us / total) * 100).toFixed(1).padStart(5)}%${
    perMessage > 0 && isHeap
      ? ` ${Math.round(us / perMessage)
          .toString()
          .padStart(6)} B/msg`
      : ''
  }`;
console.log(
  isHeap
    ? `total sampled ${(total / 1e6).toFixed(1)} MB allocated${perMessage > 0 ? `, ${Math.round(total / perMessage)} B per message` : ''}\n\nself bytes by function:`
    : `total sampled ${(total / 1000).toFixed(0)} ms\n\nself time by function:`,
);
for (const [name, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(us)}  ${name}`);
console.log(`\nself ${isHeap ? 'bytes' : 'time'} by file / package:`);
for (const [name, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(us)}  ${name}`);
console.log(`\ninclusive ${isHeap ? 'bytes' : 'time'} of Parley's own functions (packages/):`);
for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(us)}  ${name}`);
