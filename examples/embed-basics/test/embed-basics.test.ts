import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

describe('example: embed-basics', () => {
  it('runs the walkthrough end to end against the current API', async () => {
    const lines: string[] = [];
    const summary = await main((line) => lines.push(line));
    const [alice, bob] = summary.users;
    expect(summary.users.map((u) => [u.nickname, u.emailVerified])).toEqual([
      ['Alice', true],
      ['Bob', true],
    ]);
    expect(summary.events).toEqual([`friend_request → ${bob?.id}`, `friend_request_accepted → ${alice?.id}`]);
    expect(summary.friendsOfAlice.map((f) => f.user.id)).toEqual([bob?.id]);
    expect(summary.blockedByBob).toEqual(['Alice']);
    expect(summary.aliceRequestAfterBlock).toBe('BLOCKED');
    expect(lines.filter((line) => /^\d\. /.test(line))).toHaveLength(7);
  });
});
