/**
 * A word filter as a Parley before-send hook: masked words are replaced by asterisks (the message
 * goes through, cleaned), blocked words refuse the message with FORBIDDEN (nothing is stored or
 * sent). Matching is by whole word, case- and accent-insensitive, so "Darn", "DARN" and "dárn"
 * are caught but "darnedest" is not.
 */
import type { BeforeSendInput, BeforeSendResult, ChatHooks } from '@parley/chat-core';

/** What the filter catches. */
export interface WordFilterOptions {
  /** Replaced by asterisks of the same length. */
  mask: readonly string[];
  /** Refuse the message outright. */
  block: readonly string[];
}

/** Lower-cased, accents removed: the form words are compared in. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/** Builds the before-send hook of the filter. */
export function wordFilter(options: WordFilterOptions): NonNullable<ChatHooks['beforeSend']> {
  const masked = new Set(options.mask.map(fold));
  const blocked = new Set(options.block.map(fold));
  return (input: BeforeSendInput): BeforeSendResult => {
    // Only text carries words; media messages are URLs.
    if (input.contentType !== 'text') return undefined;
    let changed = false;
    const parts: string[] = [];
    for (const { segment, isWordLike } of segmenter.segment(input.content)) {
      const word = fold(segment);
      if (isWordLike && blocked.has(word)) {
        return { refuse: 'FORBIDDEN', message: 'This message contains a word that is not allowed here' };
      }
      if (isWordLike && masked.has(word)) {
        changed = true;
        parts.push('*'.repeat([...segment].length));
      } else {
        parts.push(segment);
      }
    }
    return changed ? { content: parts.join('') } : undefined;
  };
}
