/**
 * The load clients. One driver process holds thousands of connections, so the clients are thin:
 * a raw `ws` socket that speaks either L1's JSON frames or the Engine.IO 4 / Socket.IO 5 wire,
 * reading only what a benchmark needs (ack ids, `clientMsgId`, event names) without parsing whole
 * payloads. L2 and L3 get exactly the same client, so the client's cost never tilts a ratio, and the
 * server rather than the driver is the bottleneck. `smoke.ts` checks the real socket.io-client too.
 */
import WebSocket from 'ws';
import type { ClientSpec, WireKind } from '../lib/protocol.js';

/** What the driver learns from a connection. */
export interface ClientHandlers {
  /** A `new_private_message` / `new_group_message` (or L1 `m` frame) carrying this clientMsgId. */
  onDelivery(cid: string, clientIndex: number): void;
  /** The server acknowledged the message sent with this clientMsgId. */
  onAck(cid: string, ok: boolean, raw: string): void;
  /** The connection dropped without `close()`. */
  onDrop(reason: string): void;
  /** A `message_delivered` receipt reached this (sending) client: the full pipeline ran. */
  onReceipt(clientIndex: number): void;
}

export interface WireClient {
  readonly userId: string;
  /** Resolves once authenticated; rejects with the server's reason. */
  readonly ready: Promise<void>;
  sendPrivate(receiverId: string, content: string, cid: string): void;
  sendGroup(groupId: string, content: string, cid: string): void;
  close(): void;
}

const CID_KEY = '"clientMsgId":"';
const OK_PREFIX = '[{"ok":true';

/** Extracts the clientMsgId of an outgoing-message payload without parsing it. */
function clientMsgIdOf(text: string): string | null {
  const at = text.indexOf(CID_KEY);
  if (at < 0) return null;
  const start = at + CID_KEY.length;
  const end = text.indexOf('"', start);
  return end < 0 ? null : text.slice(start, end);
}

function readDigits(text: string, from: number): { value: number; end: number } {
  let end = from;
  let value = 0;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    end++;
  }
  return { value, end };
}

/** Opens one connection of the given wire kind to `baseUrl` (http://127.0.0.1:port). */
export function openClient(
  wire: WireKind,
  baseUrl: string,
  spec: ClientSpec,
  index: number,
  handlers: ClientHandlers,
): WireClient {
  return wire === 'ws'
    ? openWsClient(baseUrl, spec, index, handlers)
    : openSioClient(baseUrl, spec, index, handlers);
}

function openWsClient(
  baseUrl: string,
  spec: ClientSpec,
  index: number,
  handlers: ClientHandlers,
): WireClient {
  const url = `${baseUrl.replace(/^http/, 'ws')}/?token=${encodeURIComponent(spec.token)}`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let closing = false;
  let nextId = 0;
  const pending = new Map<number, string>();
  const ready = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (err) => reject(err));
    ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${String(reason)}`)));
  });
  ready.catch(() => {});
  ws.on('message', (data) => {
    const text = String(data);
    if (text.startsWith('{"t":"m"')) {
      const cid = clientMsgIdOf(text);
      if (cid) handlers.onDelivery(cid, index);
    } else if (text.startsWith('{"t":"a"')) {
      const { value } = readDigits(text, text.indexOf('"id":') + 5);
      const cid = pending.get(value);
      if (cid === undefined) return;
      pending.delete(value);
      handlers.onAck(cid, text.includes('"ok":true'), text);
    }
  });
  ws.on('close', (code) => {
    if (!closing) handlers.onDrop(`ws closed ${code}`);
  });
  ws.on('error', () => {});
  return {
    userId: spec.userId,
    ready,
    sendPrivate(receiverId, content, cid) {
      const id = ++nextId;
      pending.set(id, cid);
      ws.send(JSON.stringify({ t: 'pm', id, to: receiverId, content, cid }));
    },
    sendGroup() {
      throw new Error('L1 has no groups');
    },
    close() {
      closing = true;
      ws.terminate();
    },
  };
}

function openSioClient(
  baseUrl: string,
  spec: ClientSpec,
  index: number,
  handlers: ClientHandlers,
): WireClient {
  const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let closing = false;
  let nextAck = 0;
  const pending = new Map<number, string>();
  let settle: { resolve: () => void; reject: (e: Error) => void } | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  ready.catch(() => {});
  const fail = (reason: string) => {
    if (settle) {
      settle.reject(new Error(reason));
      settle = null;
    } else if (!closing) handlers.onDrop(reason);
  };

  ws.on('message', (data) => {
    const text = String(data);
    const type = text.charCodeAt(0);
    if (type === 50 /* '2' ping */) {
      ws.send('3');
      return;
    }
    if (type === 48 /* '0' open */) {
      const auth: Record<string, unknown> = { token: spec.token };
      if (spec.groups) auth.groups = spec.groups;
      ws.send(`40${JSON.stringify(auth)}`);
      return;
    }
    if (type !== 52 /* '4' message */) return;
    const packet = text.charCodeAt(1);
    if (packet === 50 /* '2' EVENT */) {
      const { value: ackId, end } = readDigits(text, 2);
      const hasAck = end > 2;
      if (text.startsWith('["new_private_message"', end) || text.startsWith('["new_group_message"', end)) {
        const cid = clientMsgIdOf(text);
        if (cid) handlers.onDelivery(cid, index);
      } else if (text.startsWith('["message_delivered"', end)) handlers.onReceipt(index);
      // Every ack the server asks for is answered, as a real client's handler would.
      if (hasAck) ws.send(`43${ackId}[{"ok":true}]`);
      return;
    }
    if (packet === 51 /* '3' ACK */) {
      const { value, end } = readDigits(text, 2);
      const cid = pending.get(value);
      if (cid === undefined) return;
      pending.delete(value);
      handlers.onAck(cid, text.startsWith(OK_PREFIX, end), text);
      return;
    }
    if (packet === 48 /* '0' CONNECT ok */) {
      settle?.resolve();
      settle = null;
      return;
    }
    if (packet === 52 /* '4' CONNECT_ERROR */) {
      fail(`connect_error ${text.slice(2, 200)}`);
      return;
    }
    if (packet === 49 /* '1' DISCONNECT */) fail('disconnected by server');
  });
  ws.on('close', (code) => fail(`ws closed ${code}`));
  ws.on('error', (err) => fail(`ws error ${err.message}`));

  const emit = (event: string, payload: object, cid: string) => {
    const id = ++nextAck;
    pending.set(id, cid);
    ws.send(`42${id}${JSON.stringify([event, payload])}`);
  };
  return {
    userId: spec.userId,
    ready,
    sendPrivate(receiverId, content, cid) {
      emit('private_message', { receiverId, content, clientMsgId: cid }, cid);
    },
    sendGroup(groupId, content, cid) {
      emit('group_message', { groupId, content, clientMsgId: cid }, cid);
    },
    close() {
      closing = true;
      ws.terminate();
    },
  };
}
