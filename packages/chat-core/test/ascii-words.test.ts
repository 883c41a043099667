/**
 * The ASCII word finder of the search tokens (src/messaging/ascii-words.ts) must give exactly the
 * word-like segments `Intl.Segmenter` gives, or a message indexed on one path would not be found
 * by a query tokenized on the other. Compared on the word-boundary rules' edge cases and on
 * random text over the characters those rules treat apart.
 */
import { describe, expect, it } from 'vitest';
import { indexTokens, queryTokens } from '../src/index.js';
import { asciiWords, isAscii } from '../src/messaging/ascii-words.js';

const segmenter = new Intl.Segmenter('und', { granularity: 'word' });
const reference = (text: string) =>
  [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);

/** A deterministic stream in [0, 1) (Park–Miller), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48_271) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

describe('ASCII words', () => {
  it('are the segmenter’s on the rules’ edge cases', () => {
    const cases = [
      'a:b',
      'a.b',
      "a'b",
      'a,b',
      'a;b',
      '1,2',
      '1;2',
      '1.2',
      "1'2",
      '1:2',
      '_',
      '__',
      '___',
      '_ _',
      'a_b',
      '_a',
      'a_',
      '1_2',
      'a.1',
      '1.a',
      'a..b',
      'a.b.c',
      'a.',
      '.a',
      "a'",
      "'a",
      'a-b',
      'a@b',
      '3.14.15',
      'x_.y',
      'a1.b',
      '1a.2',
      'a.b1',
      '1.2a',
      'A.B',
      'a_.1',
      "don't",
      'e.g.',
      'foo_bar:baz',
      'Hello, world!',
      'see you at 5pm',
      'v1.2.3-beta',
      'user@example.com',
      'https://x.io/a_b?c=1;d=2',
      '\t\r\n',
      '',
      'a\u0000b',
      'a\u007fb',
    ];
    for (const text of cases) expect(asciiWords(text), JSON.stringify(text)).toEqual(reference(text));
  });

  it('are the segmenter’s on 20,000 random texts', () => {
    const alphabet = 'abZ09_.\',;:-!? \t\n@#~/()"`';
    const next = random(14);
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = Math.floor(next() * 24);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      expect(asciiWords(text), JSON.stringify(text)).toEqual(reference(text));
    }
  });

  it('isAscii tells ASCII from the rest', () => {
    expect(isAscii('plain text, 123 _:;')).toBe(true);
    expect(isAscii('café')).toBe(false);
    expect(isAscii('你好')).toBe(false);
  });

  it('search tokens of ASCII and of other text still meet', () => {
    expect(indexTokens('Hello, World! e.g. 3.14')).toEqual(['hello', 'world', 'e.g', '3.14']);
    expect(queryTokens('WORLD')).toEqual(['world']);
    // Text with one non-ASCII character takes the segmenter; its ASCII words come out the same.
    expect(indexTokens('Hello, World! e.g. 3.14 café')).toEqual(['hello', 'world', 'e.g', '3.14', 'café']);
    expect(indexTokens('x'.repeat(40))).toEqual(['x'.repeat(32)]);
  });
});
