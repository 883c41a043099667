/**
 * Search tokens, computed once in the core so that every store indexes the same ones and a query
 * means the same thing on each: text is NFKC-normalized and lower-cased, split into words by
 * `Intl.Segmenter` (which knows where words end in languages written without spaces), and every
 * run of Chinese, Japanese or Korean characters also gives its single characters and its bigrams.
 * So `你好` finds `大家你好啊` (bigram 你好) whatever the segmenter made of the sentence, and `hello`
 * finds `Hello, world!`.
 */

import { asciiWords, isAscii } from './ascii-words.js';

/** Han, Hiragana, Katakana and Hangul: scripts where a word boundary is not a space. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Longest token kept: longer "words" (a pasted hash, a URL) are cut to this many code points. */
const MAX_TOKEN_LENGTH = 32;

/** Most tokens one message contributes to the index. */
export const MAX_TOKENS_PER_MESSAGE = 512;

const segmenter = new Intl.Segmenter('und', { granularity: 'word' });

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The runs of CJK characters of a text (broken by anything else), each as its characters. */
function cjkRuns(text: string): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  for (const char of text) {
    if (CJK.test(char)) run.push(char);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function clip(token: string): string {
  const chars = [...token];
  return chars.length > MAX_TOKEN_LENGTH ? chars.slice(0, MAX_TOKEN_LENGTH).join('') : token;
}

/** The word-like segments of a text that are not CJK only (CJK is covered by its characters and bigrams). */
function* words(text: string): Generator<string> {
  // ASCII has no CJK, its tokens are never longer in code points than in units, and its words are
  // found without the segmenter (ascii-words.ts: the same segments, at a fraction of the cost).
  if (isAscii(text)) {
    for (const word of asciiWords(text))
      yield word.length > MAX_TOKEN_LENGTH ? word.slice(0, MAX_TOKEN_LENGTH) : word;
    return;
  }
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (!isWordLike) continue;
    let allCjk = true;
    for (const char of segment) {
      if (!CJK.test(char)) {
        allCjk = false;
        break;
      }
    }
    if (!allCjk) yield clip(segment);
  }
}

/**
 * The tokens a message's content is indexed under: its words, and every character and bigram of
 * its CJK runs (across the segmenter's word boundaries, so any two adjacent characters can be
 * found), without repeats, at most {@link MAX_TOKENS_PER_MESSAGE}.
 */
export function indexTokens(content: string): string[] {
  const text = normalize(content);
  const tokens = new Set<string>();
  for (const word of words(text)) {
    if (tokens.size >= MAX_TOKENS_PER_MESSAGE) break;
    tokens.add(word);
  }
  for (const run of isAscii(text) ? [] : cjkRuns(text)) {
    for (let i = 0; i < run.length && tokens.size < MAX_TOKENS_PER_MESSAGE; i++) {
      tokens.add(run[i] as string);
      if (i + 1 < run.length) tokens.add(`${run[i]}${run[i + 1]}`);
    }
  }
  return [...tokens].slice(0, MAX_TOKENS_PER_MESSAGE);
}

/**
 * The tokens a search query must all match: its words as they are, and each CJK run by its
 * bigrams (a lone CJK character by itself). Empty when the query holds no word at all.
 */
export function queryTokens(query: string): string[] {
  const text = normalize(query);
  const tokens = new Set<string>(words(text));
  for (const run of cjkRuns(text)) {
    if (run.length === 1) tokens.add(run[0] as string);
    for (let i = 0; i + 1 < run.length; i++) tokens.add(`${run[i]}${run[i + 1]}`);
  }
  return [...tokens];
}
