/**
 * The core's search tokens, in process: CPU-µs per message for `indexTokens` on short chat texts,
 * ASCII (the fast path, `ascii-words.ts`) and the same texts with one non-ASCII character (the
 * `Intl.Segmenter` path), in rounds so the spread shows.
 *
 * `node --conditions=parley-source --import tsx bench/search/tokens-bench.ts [rounds]` (from the
 * repository root).
 */
import { indexTokens } from '@parley/chat-core';

const rounds = Number(process.argv[2] ?? 5);
const PASSES = 50;
const ascii = Array.from(
  { length: 1000 },
  (_, i) => `hello there number ${i}, how are you doing today? see you at 5pm`,
);
const other = ascii.map((text) => `${text} café`);

/** CPU-µs per text for one pass of `texts`, `PASSES` times over. */
function cpuPerText(texts: readonly string[]): number {
  const before = process.cpuUsage();
  let tokens = 0;
  for (let pass = 0; pass < PASSES; pass++) for (const text of texts) tokens += indexTokens(text).length;
  const used = process.cpuUsage(before);
  if (tokens === 0) throw new Error('no tokens');
  return (used.user + used.system) / (PASSES * texts.length);
}

cpuPerText(ascii);
cpuPerText(other);
const figures = { ascii: [] as number[], segmenter: [] as number[] };
for (let round = 0; round < rounds; round++) {
  figures.ascii.push(cpuPerText(ascii));
  figures.segmenter.push(cpuPerText(other));
}
const line = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${median.toFixed(2)} (${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}) CPU-µs/message`;
};
console.log(`indexTokens, ASCII text (fast path):       ${line(figures.ascii)}`);
console.log(`indexTokens, one non-ASCII char (segmenter): ${line(figures.segmenter)}`);
