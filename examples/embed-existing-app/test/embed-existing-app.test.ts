import { describe, expect, it } from 'vitest';
import { main } from '../src/app.js';

describe('embedding Parley in an existing Express + Socket.IO app', () => {
  it("maps the app's users onto Parley accounts and delivers a message between them", async () => {
    const summary = await main();
    expect(Object.keys(summary.accounts).sort()).toEqual(['u-1', 'u-2']);
    expect(summary.sent).toMatchObject({ seq: 1, content: 'Hi Bob, this chat lives inside our app!' });
    expect(summary.received).toEqual({
      id: summary.sent.id,
      senderId: summary.accounts['u-1'],
      content: 'Hi Bob, this chat lives inside our app!',
    });
  });
});
