/**
 * The word-like segments of an ASCII text, exactly as `Intl.Segmenter` (granularity `word`) gives
 * them, without calling it: the segmenter is ~12 µs of a short message's ~17 µs of search
 * tokens, and most messages are ASCII. `search-tokens.ts` uses this for ASCII text only.
 *
 * ASCII's characters fall in a few classes of Unicode's word-boundary rules (UAX #29): letters,
 * digits and `_` (ExtendNumLet) join with one another (WB5, WB8–WB10, WB13a/b); `:` (MidLetter)
 * joins two letters (WB6/7); `.` and `'` (MidNumLet, Single_Quote) join two letters or two digits
 * (WB6/7, WB11/12); `,` and `;` (MidNum) join two digits (WB11/12); everything else breaks. A
 * segment is word-like when it holds a letter or a digit, or is a run of two or more `_` (ICU's
 * rule status; a lone `_` is not). A test compares this with `Intl.Segmenter` on random text.
 */

const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;
const UNDERSCORE = 3;
/** `:` — between two letters only. */
const MID_LETTER = 4;
/** `.` and `'` — between two letters or two digits. */
const MID_NUM_LETTER = 5;
/** `,` and `;` — between two digits only. */
const MID_NUM = 6;

const CLASS = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = LETTER;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = LETTER;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
CLASS[0x5f] = UNDERSCORE;
CLASS[0x3a] = MID_LETTER;
CLASS[0x2e] = MID_NUM_LETTER;
CLASS[0x27] = MID_NUM_LETTER;
CLASS[0x2c] = MID_NUM;
CLASS[0x3b] = MID_NUM;

/** Whether every character of `text` is ASCII (code points below 128). */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

const classAt = (text: string, i: number): number => (i < text.length ? CLASS[text.charCodeAt(i)]! : OTHER);

/** Joins a mid character at `i` with its neighbours (`left` is the class before it). */
function joinsAcross(mid: number, left: number, right: number): boolean {
  if (mid === MID_LETTER) return left === LETTER && right === LETTER;
  if (mid === MID_NUM_LETTER)
    return (left === LETTER && right === LETTER) || (left === DIGIT && right === DIGIT);
  if (mid === MID_NUM) return left === DIGIT && right === DIGIT;
  return false;
}

/** The word-like segments of `text`, which must be ASCII ({@link isAscii}), in order. */
export function asciiWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const first = classAt(text, i);
    if (first !== LETTER && first !== DIGIT && first !== UNDERSCORE) {
      i++;
      continue;
    }
    let end = i + 1;
    let wordLike = first !== UNDERSCORE;
    let last = first;
    while (end < text.length) {
      const next = classAt(text, end);
      if (next === LETTER || next === DIGIT || next === UNDERSCORE) {
        if (next !== UNDERSCORE) wordLike = true;
        last = next;
        end++;
        continue;
      }
      const after = classAt(text, end + 1);
      if (joinsAcross(next, last, after)) {
        last = after;
        end += 2;
        continue;
      }
      break;
    }
    // A run of underscores alone is word-like from two on (see the module doc).
    if (wordLike || end - i >= 2) words.push(text.slice(i, end));
    i = end;
  }
  return words;
}
