/**
 * An EXISTING Express + Socket.IO app (its own users, its own login, its own realtime events)
 * that adds chat by embedding Parley: the engine runs in-process, Parley's socket transport is
 * mounted on the app's own Socket.IO server, and the app's users are mapped onto Parley accounts
 * the first time they are seen.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatEngine, type ChatStore, createChatEngine, memoryStore } from '@parley/chat-core';
import { attachSocketIO, type SocketTransport, socketServerOptions } from '@parley/transport-socketio';
import express, {
  type Express,
  type Request as ExpressRequest,
  type Response as ExpressResponse,
  type NextFunction,
} from 'express';
import { Server } from 'socket.io';
import { io as connectClient } from 'socket.io-client';

/** A user of the existing app: it has nothing to do with Parley. */
interface AppUser {
  id: string;
  username: string;
  displayName: string;
  password: string;
}

/** What the app remembers about each user's Parley account. */
interface ParleyLink {
  parleyUserId: string;
  /** Generated once and kept server-side: the user never types it; the app logs in for them. */
  parleyPassword: string;
  parleyEmail: string;
  token: string;
}

export interface ExistingApp {
  app: Express;
  httpServer: HttpServer;
  io: Server;
  engine: ChatEngine;
  /** The app's user → Parley account map (a table in a real app). */
  links: Map<string, ParleyLink>;
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

/** Builds the existing app with Parley embedded. `store` lets tests (or production) pick the storage. */
export function createExistingApp(options: { store?: ChatStore; jwtSecret?: string } = {}): ExistingApp {
  // --- the app as it was before chat --------------------------------------------------------------
  const users: AppUser[] = [
    { id: 'u-1', username: 'alice', displayName: 'Alice', password: 'wonderland' },
    { id: 'u-2', username: 'bob', displayName: 'Bob', password: 'builder' },
  ];
  const sessions = new Map<string, AppUser>();

  const app = express();
  app.use(express.json());
  app.post('/login', (req, res) => {
    const user = users.find((u) => u.username === req.body?.username && u.password === req.body?.password);
    if (!user) {
      res.status(401).json({ error: 'bad login' });
      return;
    }
    const session = randomBytes(16).toString('hex');
    sessions.set(session, user);
    res.json({ session });
  });
  const requireAppUser = (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const user = sessions.get(req.get('x-session') ?? '');
    if (!user) {
      res.status(401).json({ error: 'log in first' });
      return;
    }
    res.locals.user = user;
    next();
  };

  // --- Parley, embedded ---------------------------------------------------------------------------
  const engine = createChatEngine({
    config: {
      jwtSecret: options.jwtSecret ?? randomBytes(32).toString('base64url'),
      // The app already knows who its users are: no verification emails to wait for.
      requireVerifiedEmail: false,
      bcryptCost: 4,
    },
    store: options.store ?? memoryStore(),
  });
  const links = new Map<string, ParleyLink>();

  /** The user's Parley account: registered through the engine on first sight, then reused. */
  async function parleyFor(user: AppUser): Promise<ParleyLink> {
    const known = links.get(user.id);
    if (known) {
      try {
        await engine.auth.authenticate(known.token);
        return known;
      } catch {
        // Expired or revoked: log in again with the password the app keeps for this user.
        const { token } = await engine.auth.login({
          email: known.parleyEmail,
          password: known.parleyPassword,
        });
        known.token = token;
        return known;
      }
    }
    const parleyEmail = `${user.id}@users.example-app.invalid`;
    const parleyPassword = randomBytes(24).toString('base64url');
    const { user: parleyUser, token } = await engine.auth.register({
      email: parleyEmail,
      password: parleyPassword,
      nickname: user.displayName,
    });
    const link = { parleyUserId: parleyUser.id, parleyPassword, parleyEmail, token };
    links.set(user.id, link);
    return link;
  }

  // The browser asks the app (with the app's own session) for a Parley token to open the socket.
  app.get('/chat/token', requireAppUser, async (_req, res) => {
    const link = await parleyFor(res.locals.user as AppUser);
    res.json({ token: link.token, parleyUserId: link.parleyUserId });
  });

  // In this app everyone may talk to everyone: contacts are made friends by the app itself.
  app.post('/chat/contacts/:username', requireAppUser, async (req, res) => {
    const other = users.find((u) => u.username === req.params.username);
    if (!other) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
    const me = await parleyFor(res.locals.user as AppUser);
    const them = await parleyFor(other);
    const { request, friend } = await engine.friends.sendRequest(me.parleyUserId, {
      userId: them.parleyUserId,
    });
    if (!friend) await engine.friends.accept(them.parleyUserId, request.id);
    res.status(204).end();
  });

  const httpServer = createServer(app);
  // The app's own Socket.IO server: its own events live on `/app`, Parley's on the main namespace.
  const io = new Server(httpServer, socketServerOptions());
  io.of('/app').on('connection', (socket) => {
    socket.emit('hello', { from: 'the existing app' });
  });
  const transport: SocketTransport = attachSocketIO(io, engine);

  return {
    app,
    httpServer,
    io,
    engine,
    links,
    listen(port = 0) {
      return new Promise((resolve) => {
        httpServer.listen(port, '127.0.0.1', () => {
          resolve(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`);
        });
      });
    },
    async close() {
      await transport.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await engine.close();
    },
  };
}

/** What {@link main} did. */
export interface EmbedSummary {
  url: string;
  /** App user id → Parley user id. */
  accounts: Record<string, string>;
  sent: { id: string; seq: number; content: string };
  received: { id: string; senderId: string; content: string };
}

function post(url: string, body: unknown, session?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(session && { 'x-session': session }) },
    body: JSON.stringify(body),
  });
}

/**
 * Runs the story end to end on an ephemeral port: Alice and Bob log in to the app, get Parley
 * accounts on first sight, become contacts, connect to Parley's socket with the token the app gave
 * them, and Alice's message reaches Bob. Everything is closed before it returns.
 */
export async function main(): Promise<EmbedSummary> {
  const existing = createExistingApp();
  const url = await existing.listen(0);
  const sockets: ReturnType<typeof connectClient>[] = [];
  try {
    const login = async (username: string, password: string) => {
      const res = await post(`${url}/login`, { username, password });
      const { session } = (await res.json()) as { session: string };
      const tokenRes = await fetch(`${url}/chat/token`, { headers: { 'x-session': session } });
      const { token, parleyUserId } = (await tokenRes.json()) as { token: string; parleyUserId: string };
      return { session, token, parleyUserId };
    };
    const alice = await login('alice', 'wonderland');
    const bob = await login('bob', 'builder');
    const contacts = await post(`${url}/chat/contacts/bob`, {}, alice.session);
    if (contacts.status !== 204) throw new Error(`contacts failed: ${contacts.status}`);

    const connect = (token: string) =>
      new Promise<ReturnType<typeof connectClient>>((resolve, reject) => {
        const socket = connectClient(url, { auth: { token }, transports: ['websocket'], forceNew: true });
        sockets.push(socket);
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    const aliceSocket = await connect(alice.token);
    const bobSocket = await connect(bob.token);

    const received = new Promise<EmbedSummary['received']>((resolve) => {
      bobSocket.once('new_private_message', (message: EmbedSummary['received']) => resolve(message));
    });
    const ack = (await aliceSocket.timeout(5000).emitWithAck('private_message', {
      receiverId: bob.parleyUserId,
      content: 'Hi Bob, this chat lives inside our app!',
    })) as { ok: boolean; data?: { message: EmbedSummary['sent'] }; error?: { code: string } };
    if (!ack.ok || !ack.data) throw new Error(`send failed: ${ack.error?.code}`);
    const message = await received;

    return {
      url,
      accounts: Object.fromEntries([...existing.links].map(([appId, link]) => [appId, link.parleyUserId])),
      sent: { id: ack.data.message.id, seq: ack.data.message.seq, content: ack.data.message.content },
      received: { id: message.id, senderId: message.senderId, content: message.content },
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await existing.close();
  }
}
