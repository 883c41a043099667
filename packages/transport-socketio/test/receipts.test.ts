import type { MessageView } from '@parley/chat-core';
import { Adapter } from 'socket.io-adapter';
import { describe, expect, it } from 'vitest';
import {
  befriend,
  type ClientSocket,
  connect,
  next,
  registerUser,
  startServer,
  useServer,
} from './helpers.js';

const server = useServer();

type Receipt = (received?: unknown) => void;

/** A device whose handler acknowledges every private message, as the README's client does. */
function acking(socket: ClientSocket): void {
  (socket as unknown as { on(event: string, fn: (m: MessageView, ack?: Receipt) => void): void }).on(
    'new_private_message',
    (_message, ack) => ack?.(),
  );
}

/** A device with a one-argument handler: it never acknowledges. */
function silent(socket: ClientSocket): Promise<number> {
  return new Promise((resolve) => {
    (socket as unknown as { on(event: string, fn: (...args: unknown[]) => void): void }).on(
      'new_private_message',
      (...args) => resolve(args.length),
    );
  });
}

describe('delivery receipts', () => {
  it('the first of the receiver devices to acknowledge marks the message delivered, at once', async () => {
    const alice = await registerUser(server.engine);
    const bob = await registerUser(server.engine);
    await befriend(server.engine, alice, bob);
    const sender = await connect(server, alice.token);
    const laptop = await connect(server, bob.token);
    const phone = await connect(server, bob.token);
    const laptopArgs = silent(laptop);
    acking(phone);
    // Well inside the 10 s a device has to answer: the silent laptop must not hold the receipt up.
    const delivered = next<{ messageId: string; userId: string }>(sender, 'message_delivered', 2000);
    const { message } = await server.engine.messages.sendPrivate(alice.id, {
      receiverId: bob.id,
      content: 'hi',
    });
    expect(await delivered).toMatchObject({ messageId: message.id, userId: bob.id });
    // The receiver's handler gets the message and the ack callback, nothing else.
    expect(await laptopArgs).toBe(2);
  });

  it('uses an adapter set after attaching (a cluster adapter keeps every broadcast)', async () => {
    const late = await startServer();
    // Like a cluster adapter: not Socket.IO's own class, so no local shortcuts apply.
    class ClusterLike extends Adapter {}
    late.io.adapter(ClusterLike as never);
    const alice = await registerUser(late.engine);
    const bob = await registerUser(late.engine);
    await befriend(late.engine, alice, bob);
    const sender = await connect(late, alice.token);
    const receiver = await connect(late, bob.token);
    acking(receiver);
    const incoming = next<MessageView>(receiver, 'new_private_message');
    const delivered = next<{ messageId: string }>(sender, 'message_delivered', 2000);
    const { message } = await late.engine.messages.sendPrivate(alice.id, {
      receiverId: bob.id,
      content: 'late',
    });
    expect((await incoming).id).toBe(message.id);
    expect((await delivered).messageId).toBe(message.id);
  });
});
