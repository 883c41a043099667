/**
 * One private message through the official socket.io-client before a layer is loaded: proves that
 * the server speaks the contract to a real client, so the thin benchmark client is measuring the
 * same conversation a user's app would have.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientSpec, SmokeResult } from '../lib/protocol.js';

function connect(url: string, spec: ClientSpec, timeoutMs: number): Promise<Socket> {
  const socket = io(url, {
    auth: { token: spec.token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    // engine.io-client takes `false` to turn the extension off, though its type only names the object.
    perMessageDeflate: false as unknown as { threshold: number },
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`connect_error: ${err.message}`));
    });
  });
}

export async function smoke(
  url: string,
  [a, b]: [ClientSpec, ClientSpec],
  timeoutMs: number,
): Promise<SmokeResult> {
  const sockets: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const run = async (): Promise<SmokeResult> => {
      const sender = await connect(url, a, timeoutMs);
      sockets.push(sender);
      const receiver = await connect(url, b, timeoutMs);
      sockets.push(receiver);
      const cid = `smoke-${Date.now()}`;
      const received = new Promise<unknown>((resolve) => {
        receiver.on('new_private_message', (message: unknown, ack?: (x: unknown) => void) => {
          ack?.({ ok: true });
          resolve(message);
        });
      });
      const answer = (await sender.emitWithAck('private_message', {
        receiverId: b.userId,
        content: 'smoke',
        clientMsgId: cid,
      })) as { ok?: boolean; error?: { code?: string } };
      if (!answer?.ok) return { ok: false, detail: `private_message ack: ${JSON.stringify(answer)}` };
      const message = (await received) as { clientMsgId?: string; content?: string };
      if (message?.clientMsgId !== cid || message.content !== 'smoke') {
        return { ok: false, detail: `unexpected new_private_message ${JSON.stringify(message)}` };
      }
      return { ok: true, detail: 'socket.io-client: connect, private_message ack, new_private_message' };
    };
    return await Promise.race([run(), deadline]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
    for (const s of sockets) s.close();
  }
}
