import { describe, expect, it } from 'vitest';
import { type Answer, befriend, connect, registerUser, request, startServer, useServer } from './helpers.js';

const seen: { event: string; durationMs: number; outcome: string }[] = [];
const server = useServer({
  config: { eventRateLimit: { perSecond: 1, burst: 6, burstWindowMs: 60_000 } },
  attach: {
    onEvent: (event, durationMs, outcome) => {
      seen.push({ event, durationMs, outcome });
      if (event === 'typing_status') throw new Error('a broken hook');
    },
  },
});

describe('the onEvent hook', () => {
  it('hears every answered frame once: its event, the time to its answer, and the outcome', async () => {
    const alice = await registerUser(server.engine);
    const bob = await registerUser(server.engine);
    await befriend(server.engine, alice, bob);
    const socket = await connect(server, alice.token);

    const sent = await request<Answer>(socket, 'private_message', { receiverId: bob.id, content: 'hi' });
    expect(sent.ok).toBe(true);
    const refused = await request<Answer>(socket, 'private_message', { receiverId: bob.id });
    expect(refused.ok).toBe(false);
    // A name outside the contract is reported as 'unknown', so labels stay bounded.
    await request<Answer>(socket, 'no_such_event', {});
    // A hook that throws is logged; the client still gets its answer.
    const typing = await request<Answer>(socket, 'typing_status', { to: bob.id, isTyping: true });
    expect(typing.ok).toBe(true);
    // Past the budget: answered RATE_LIMITED at once, and reported as such.
    const flood = await Promise.all(
      Array.from({ length: 8 }, () => request<Answer>(socket, 'sync', { conversationId: 'x', afterSeq: 0 })),
    );
    const codes = flood.map((answer) => (answer.ok ? 'ok' : answer.error.code));
    expect(codes).toContain('RATE_LIMITED');

    expect(seen.slice(0, 4).map(({ event, outcome }) => [event, outcome])).toEqual([
      ['private_message', 'ok'],
      ['private_message', 'VALIDATION_FAILED'],
      ['unknown', 'VALIDATION_FAILED'],
      ['typing_status', 'ok'],
    ]);
    expect(seen.slice(4).map(({ event }) => event)).toEqual(codes.map(() => 'sync'));
    expect(
      seen
        .slice(4)
        .map(({ outcome }) => outcome)
        .sort(),
    ).toEqual([...codes].sort());
    for (const { durationMs } of seen) {
      expect(durationMs).toBeGreaterThanOrEqual(0);
      expect(durationMs).toBeLessThan(5000);
    }
    expect(server.logs.some((line) => line.level === 'error' && line.msg === 'onEvent hook failed')).toBe(
      true,
    );
  });

  it('is optional: without it, events are answered as before', async () => {
    const plain = await startServer();
    const alice = await registerUser(plain.engine);
    const socket = await connect(plain, alice.token);
    const answer = await request<Answer>(socket, 'sync', { conversationId: 'x', afterSeq: 0 });
    expect(answer.ok).toBe(false);
    expect(seen.length).toBe(12);
  });
});
