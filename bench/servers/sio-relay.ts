/**
 * L2: a bare Socket.IO relay: the token read at the handshake is the user id, each socket joins
 * its user's room (and, for fan-out, the group rooms named in `auth.groups`), a message is emitted
 * to the receiver's room or broadcast to the group's room and acknowledged with the contract's
 * `{ ok, data: { message } }`. Same wire payloads as Parley; no storage, no checks.
 *
 * With `RELAY_RECEIPTS=1` this is L2r: the same relay plus Parley's delivery receipt, frame for
 * frame. Each of the receiver's sockets gets `new_private_message` with an ack request (asked of
 * each local socket, no timer, as Parley's transport does on Socket.IO's own adapter); the first
 * ack sends `message_delivered` `{ messageId, conversationId, userId, seq }` to the sender's room.
 * Five frames per message, as in Parley: the send in, the delivery out, the receiver's ack in, the
 * sender's ack out and the receipt out.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

interface Payload {
  receiverId?: unknown;
  groupId?: unknown;
  content?: unknown;
  clientMsgId?: unknown;
}
type Ack = (answer: unknown) => void;

const port = Number(process.env.PORT);
const receipts = process.env.RELAY_RECEIPTS === '1';
const host = process.env.HOST ?? '127.0.0.1';
let nextId = 0;

const httpServer = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  }
  // Socket.IO answers its own paths; anything else is left to its default 404 handling.
});

const io = new Server(httpServer, { perMessageDeflate: false, serveClient: false });

io.use((socket, next) => {
  const token = socket.handshake.auth.token ?? socket.handshake.query.token;
  if (typeof token !== 'string' || token.length === 0) {
    next(new Error('UNAUTHORIZED'));
    return;
  }
  socket.data.userId = token;
  next();
});

io.on('connection', (socket) => {
  const userId = socket.data.userId as string;
  socket.join(userId);
  const groups: unknown = socket.handshake.auth.groups;
  if (Array.isArray(groups)) for (const g of groups) if (typeof g === 'string') socket.join(`g:${g}`);

  socket.on('private_message', (payload: Payload, ack?: Ack) => {
    if (typeof payload?.receiverId !== 'string' || typeof payload.content !== 'string') {
      ack?.({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'bad payload' } });
      return;
    }
    const receiverId = payload.receiverId;
    const message = {
      id: String(++nextId),
      conversationId: userId < receiverId ? `p:${userId}:${receiverId}` : `p:${receiverId}:${userId}`,
      type: 'private',
      senderId: userId,
      receiverId,
      content: payload.content,
      contentType: 'text',
      clientMsgId: payload.clientMsgId,
      seq: nextId,
      createdAt: new Date().toISOString(),
    };
    if (!receipts) {
      io.to(receiverId).emit('new_private_message', message);
      ack?.({ ok: true, data: { message } });
      return;
    }
    const ids = io.of('/').adapter.rooms.get(receiverId);
    let delivered = false;
    const receipt = () => {
      if (delivered) return;
      delivered = true;
      io.to(userId).emit('message_delivered', {
        messageId: message.id,
        conversationId: message.conversationId,
        userId: receiverId,
        seq: message.seq,
      });
    };
    if (ids !== undefined)
      for (const id of ids) io.of('/').sockets.get(id)?.emit('new_private_message', message, receipt);
    ack?.({ ok: true, data: { message } });
  });

  socket.on('group_message', (payload: Payload, ack?: Ack) => {
    if (typeof payload?.groupId !== 'string' || typeof payload.content !== 'string') {
      ack?.({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'bad payload' } });
      return;
    }
    const groupId = payload.groupId;
    const message = {
      id: String(++nextId),
      conversationId: `g:${groupId}`,
      type: 'group',
      senderId: userId,
      groupId,
      content: payload.content,
      contentType: 'text',
      clientMsgId: payload.clientMsgId,
      seq: nextId,
      createdAt: new Date().toISOString(),
    };
    socket.to(`g:${groupId}`).emit('new_group_message', message);
    ack?.({ ok: true, data: { message } });
  });
});

httpServer.listen(port, host);
