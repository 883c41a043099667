/**
 * L1: a raw `ws` relay, the practical ceiling of one-to-one messaging on this machine. The token
 * in the URL is the user id; a `pm` frame is parsed, re-encoded with the same fields Parley sends,
 * written to the receiver's sockets and acknowledged to the sender. No storage, no validation.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

interface PrivateFrame {
  t: 'pm';
  id: number;
  to: string;
  content: string;
  cid: string;
}

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const sockets = new Map<string, Set<WebSocket>>();
let nextId = 0;

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  res.writeHead(404);
  res.end();
});

const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1 << 20 });

wss.on('connection', (ws, req) => {
  const userId = new URL(req.url ?? '/', 'http://relay').searchParams.get('token');
  if (!userId) {
    ws.close(4401, 'UNAUTHORIZED');
    return;
  }
  let mine = sockets.get(userId);
  if (!mine) {
    mine = new Set();
    sockets.set(userId, mine);
  }
  mine.add(ws);
  ws.on('close', () => {
    mine.delete(ws);
    if (mine.size === 0) sockets.delete(userId);
  });
  ws.on('message', (data) => {
    let frame: PrivateFrame;
    try {
      frame = JSON.parse(String(data)) as PrivateFrame;
    } catch {
      return;
    }
    if (frame.t !== 'pm') return;
    const message = {
      id: String(++nextId),
      conversationId: userId < frame.to ? `p:${userId}:${frame.to}` : `p:${frame.to}:${userId}`,
      type: 'private',
      senderId: userId,
      receiverId: frame.to,
      content: frame.content,
      contentType: 'text',
      clientMsgId: frame.cid,
      seq: nextId,
      createdAt: new Date().toISOString(),
    };
    const out = JSON.stringify({ t: 'm', message });
    for (const peer of sockets.get(frame.to) ?? []) peer.send(out);
    ws.send(JSON.stringify({ t: 'a', id: frame.id, ok: true, message }));
  });
});

server.listen(port, host);
