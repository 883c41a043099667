import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { wordFilter } from '../src/word-filter.js';

describe('example: word-filter', () => {
  it('masks, refuses and audits through the engine hooks', async () => {
    const summary = await main(() => {});
    expect(summary.sent).toEqual(['****, the train is late', 'What the ****?', 'See you at eight']);
    expect(summary.refused).toEqual(['FORBIDDEN: Buy SpamCoin now!']);
    expect(summary.stored).toEqual(summary.sent);
    expect(summary.audit.map((line) => line.split(' ').slice(1).join(' '))).toEqual(summary.sent);
  });

  it('matches whole words, any case and accents, and leaves media alone', () => {
    const filter = wordFilter({ mask: ['darn'], block: [] });
    const input = {
      action: 'send' as const,
      senderId: 'u1',
      conversationType: 'private' as const,
      conversationId: 'p:u1:u2',
      contentType: 'text' as const,
    };
    expect(filter({ ...input, content: 'DÁRN it' })).toEqual({ content: '**** it' });
    expect(filter({ ...input, content: 'the darnedest thing' })).toBeUndefined();
    expect(filter({ ...input, content: 'https://x.test/darn.png', contentType: 'image' })).toBeUndefined();
  });
});
