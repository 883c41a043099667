import type { MessageView } from '@parley/chat-core';
import { describe, expect, it } from 'vitest';
import { befriend, connect, registerUser, startServer, type TestServer } from './helpers.js';

/** The server side's TCP socket of a user's only socket, with its write calls counted. */
function countWrites(server: TestServer, userId: string): { calls: () => number } {
  const socket = [...server.io.of('/').sockets.values()].find((s) => s.data.userId === userId);
  if (socket === undefined) throw new Error(`no socket of ${userId}`);
  const tcp = (socket.conn as unknown as { transport: { socket: { _socket: Record<string, unknown> } } })
    .transport.socket._socket;
  let calls = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = tcp[method] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') continue;
    tcp[method] = function (this: unknown, ...args: unknown[]) {
      calls += 1;
      return original.apply(this, args);
    };
  }
  return { calls: () => calls };
}

/** Sends `count` messages from a to b at once; resolves with what b received, in arrival order. */
async function burst(
  server: TestServer,
  count: number,
): Promise<{ received: MessageView[]; writes: number }> {
  const alice = await registerUser(server.engine);
  const bob = await registerUser(server.engine);
  await befriend(server.engine, alice, bob);
  const phone = await connect(server, bob.token);
  const received: MessageView[] = [];
  const all = new Promise<void>((resolve) => {
    phone.on('new_private_message', (message) => {
      received.push(message);
      if (received.length === count) resolve();
    });
  });
  const writes = countWrites(server, bob.id);
  // Sent in one turn: the first frame leaves at once, the others queue in Engine.IO behind it.
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      server.engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: `m${i}` }),
    ),
  );
  await all;
  return { received, writes: writes.calls() };
}

describe('write batching', () => {
  it('writes the frames queued for a socket in one turn in one call, in order, none lost', async () => {
    const server = await startServer();
    const { received, writes } = await burst(server, 40);
    expect(received.map((m) => m.content)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The first frame on its own, then the 39 queued behind it together (a few more at most if
    // the sends straddle a turn), where unbatched it is one call per frame (the test below).
    expect(writes).toBeLessThanOrEqual(4);
  });

  it('batches too when the Socket.IO server is attached to its HTTP server after Parley', async () => {
    const server = await startServer({ httpAfterAttach: true });
    const { received, writes } = await burst(server, 40);
    expect(received).toHaveLength(40);
    expect(writes).toBeLessThanOrEqual(4);
  });

  it('writes a call per frame with batchWrites: false', async () => {
    const server = await startServer({ attach: { batchWrites: false } });
    const { received, writes } = await burst(server, 40);
    expect(received).toHaveLength(40);
    expect(writes).toBeGreaterThanOrEqual(40);
  });
});
