import { type ChatEngine, ChatError } from '@parley/chat-core';
import { Adapter } from 'socket.io-adapter';
import { describe, expect, it } from 'vitest';
import { connect, connectError, once, registerUser, request, startServer, useServer } from './helpers.js';

const server = useServer();

import type { Answer } from './helpers.js';

/** Makes `engine.messages.sync` hang, as a slow store would, until the answer is released. */
function stickSync(engine: ChatEngine): { release: () => void; restore: () => void } {
  const messages = engine.messages as { sync: ChatEngine['messages']['sync'] };
  const original = messages.sync;
  let release = () => {};
  const stuck = new Promise<void>((resolve) => {
    release = resolve;
  });
  messages.sync = async (...args) => {
    await stuck;
    return original(...args);
  };
  return {
    release,
    restore: () => {
      release();
      messages.sync = original;
    },
  };
}

describe('a flooding socket', () => {
  it('is answered RATE_LIMITED at once past its budget, even while earlier events wait', async () => {
    const limited = await startServer({
      config: { eventRateLimit: { perSecond: 5, burst: 5, burstWindowMs: 60_000 } },
    });
    const alice = await registerUser(limited.engine);
    const socket = await connect(limited, alice.token);
    const sync = stickSync(limited.engine);
    try {
      const first = request<Answer>(socket, 'sync', { conversationId: 'x', afterSeq: 0 });
      const flood = Array.from({ length: 50 }, () =>
        request<Answer>(socket, 'sync', { conversationId: 'x', afterSeq: 0 }),
      );
      // Answered while the first event is still stuck: over-budget events never enter the queue.
      const refused = await Promise.race(flood);
      expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      sync.release();
      await first;
      const answers = await Promise.all(flood);
      expect(answers.filter((a) => a.ok === false && a.error.code === 'RATE_LIMITED')).toHaveLength(41);
    } finally {
      sync.restore();
    }
    expect(socket.connected).toBe(true);
  });

  it('bounds the queue of admitted events waiting on a slow store', async () => {
    const bounded = await startServer({ attach: { maxQueuedEvents: 5 } });
    const alice = await registerUser(bounded.engine);
    const socket = await connect(bounded, alice.token);
    const sync = stickSync(bounded.engine);
    try {
      const waiting = Array.from({ length: 5 }, () =>
        request<Answer>(socket, 'sync', { conversationId: 'x', afterSeq: 0 }),
      );
      const overflow = await request<Answer>(socket, 'sync', { conversationId: 'x', afterSeq: 0 });
      expect(overflow).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      sync.release();
      expect(
        (await Promise.all(waiting)).every((a) => a.ok === false && a.error.code !== 'RATE_LIMITED'),
      ).toBe(true);
    } finally {
      sync.restore();
    }
    // Once the store answers, the socket is served again.
    const after = await request<Answer>(socket, 'sync', { conversationId: 'x', afterSeq: 0 });
    expect(after.ok === false && after.error.code).not.toBe('RATE_LIMITED');
  });
});

describe('payload limits', () => {
  it('answers a message over its content limit PAYLOAD_TOO_LARGE and keeps the socket', async () => {
    const alice = await registerUser(server.engine);
    const socket = await connect(server, alice.token);
    const answer = await request<Answer>(socket, 'private_message', {
      receiverId: 'x',
      content: 'a'.repeat(200 * 1024),
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(socket.connected).toBe(true);
    const after = await request<Answer>(socket, 'sync', null);
    expect(after).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('a frame over 1 MB drops that socket; the server keeps serving', async () => {
    const alice = await registerUser(server.engine);
    const socket = await connect(server, alice.token);
    const gone = once(socket, 'disconnect');
    socket.emit('private_message', { receiverId: 'x', content: 'a'.repeat(1024 * 1024 + 1) });
    await gone;
    const again = await connect(server, alice.token);
    const answer = await request<Answer>(again, 'sync', null);
    expect(answer.ok).toBe(false);
  });
});

describe('a failing room adapter', () => {
  it('is logged, never an unhandled rejection that would take the process down', async () => {
    // Like a cluster adapter whose backend is down: joining the user's rooms rejects.
    class FailingAdapter extends Adapter {
      override addAll(id: string, rooms: Set<string>): Promise<void> | void {
        if ([...rooms].some((room) => room.startsWith('user:')))
          return Promise.reject(new Error('adapter down'));
        return super.addAll(id, rooms);
      }
    }
    const failing = await startServer({ io: { adapter: FailingAdapter as never } });
    const alice = await registerUser(failing.engine);
    const socket = await connect(failing, alice.token);
    await request(socket, 'sync', null);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(failing.logs.some((log) => log.level === 'error' && /rooms/.test(log.msg ?? ''))).toBe(true);
    expect(socket.connected).toBe(true);
  });
});

describe('a handshake failing inside', () => {
  it('answers connect_error INTERNAL with the generic message and logs the cause', async () => {
    const auth = server.engine.auth as { authenticate: ChatEngine['auth']['authenticate'] };
    const original = auth.authenticate;
    auth.authenticate = async () => {
      throw new ChatError('INTERNAL', 'E11000 in parley.tokens (handshake internals)');
    };
    try {
      const error = await connectError(server, { auth: { token: 'whatever' } });
      expect(error.message).toBe('INTERNAL');
      expect(JSON.stringify(error.data)).not.toContain('handshake internals');
    } finally {
      auth.authenticate = original;
    }
    const causes = server.logs.map((log) => (log.obj as { err?: Error }).err?.message ?? '');
    expect(causes.some((message) => message.includes('handshake internals'))).toBe(true);
  });
});

describe('a malformed frame', () => {
  it('closes that connection with one short debug line, never a stack trace at warn', async () => {
    const noisy = await startServer();
    const alice = await registerUser(noisy.engine);
    const socket = await connect(noisy, alice.token);
    const gone = once(socket, 'disconnect');
    // A Socket.IO EVENT packet whose JSON never ends, written straight onto the engine.io transport.
    (socket.io.engine as unknown as { write(data: string): void }).write('42["private_message",{"x":');
    await gone;
    const loud = noisy.logs.filter((log) => log.level === 'warn' || log.level === 'error');
    expect(loud).toEqual([]);
    const line = noisy.logs.find((log) => log.msg === 'socket error');
    expect(line?.level).toBe('debug');
    expect(JSON.stringify(line?.obj)).not.toContain('    at ');
  });
});
