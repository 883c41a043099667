/**
 * Test helpers: a real Socket.IO server on an ephemeral loopback port with a real engine, and real
 * socket.io-client clients. Every server and client made here is closed by `closeAll()`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ChatConfigInput,
  type ChatEngine,
  type Clock,
  createChatEngine,
  type Logger,
  memoryMailer,
  memoryStore,
} from '@parley/chat-core';
import { Server } from 'socket.io';
import { io as connectClient, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { afterAll, beforeAll } from 'vitest';
import {
  type AttachSocketIOOptions,
  attachSocketIO,
  type ClientToServerEvents,
  type ParleyServer,
  type ParleyServerOptions,
  type ServerToClientEvents,
  type SocketTransport,
  socketServerOptions,
} from '../src/index.js';

/** A typed client socket. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A running test server. */
export interface TestServer {
  engine: ChatEngine;
  io: ParleyServer;
  transport: SocketTransport;
  url: string;
  /** Every log line, for assertions on what was logged (and what was not sent). */
  logs: { level: string; obj: object; msg: string | undefined }[];
}

/** What an acked client event answers. */
export type Answer<T = unknown> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

/** A registered user with a token. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

const servers: { server: TestServer; close: () => Promise<void> }[] = [];
const clients: ClientSocket[] = [];

export const TEST_CONFIG: ChatConfigInput = {
  jwtSecret: 'parley-transport-test-secret-0123456789',
  bcryptCost: 4,
  presenceGraceMs: 0,
};

/** Starts an engine over a fresh memory store, attached to a Socket.IO server on 127.0.0.1:0. */
export async function startServer(
  options: {
    config?: Partial<ChatConfigInput>;
    attach?: AttachSocketIOOptions;
    clock?: Clock;
    /** Socket.IO server options over {@link socketServerOptions} (e.g. a custom adapter). */
    io?: ParleyServerOptions;
    /** Attach Parley to the Socket.IO server before that is attached to its HTTP server. */
    httpAfterAttach?: boolean;
  } = {},
): Promise<TestServer> {
  const logs: TestServer['logs'] = [];
  const logger: Logger = {
    debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
  };
  const engine = createChatEngine({
    store: memoryStore(),
    mailer: memoryMailer(),
    config: { ...TEST_CONFIG, ...options.config },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const httpServer = createServer();
  const io: ParleyServer = options.httpAfterAttach
    ? new Server(socketServerOptions(options.io))
    : new Server(httpServer, socketServerOptions(options.io));
  const transport = attachSocketIO(io, engine, { logger, ...options.attach });
  if (options.httpAfterAttach) io.attach(httpServer);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  const server: TestServer = { engine, io, transport, url: `http://127.0.0.1:${port}`, logs };
  servers.push({
    server,
    close: async () => {
      await transport.close();
      await transport.close();
      await io.close();
      await engine.close();
    },
  });
  return server;
}

/**
 * The server of one test file: started in `beforeAll`, closed with every client in `afterAll`.
 * The object answered is filled in when the hook runs, so use it inside tests only.
 */
export function useServer(options: Parameters<typeof startServer>[0] = {}): TestServer {
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(server, await startServer(options));
  });
  afterAll(closeAll);
  return server;
}

let counter = 0;

/** Registers a user on the engine. */
export async function registerUser(engine: ChatEngine, nickname?: string): Promise<TestUser> {
  counter += 1;
  const email = `user${counter}.${Date.now()}@example.test`;
  const password = `password-${counter}`;
  const { user, token } = await engine.auth.register({
    email,
    password,
    nickname: nickname ?? `user${counter}`,
  });
  return { id: user.id, email, password, token };
}

/** Makes two users friends. */
export async function befriend(engine: ChatEngine, a: TestUser, b: TestUser): Promise<void> {
  const { request, friend } = await engine.friends.sendRequest(a.id, { userId: b.id });
  if (!friend) await engine.friends.accept(b.id, request.id);
}

type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** A client that is not connected yet (autoConnect off); closed by `closeAll()`. */
export function client(server: TestServer, options: ClientOptions = {}): ClientSocket {
  const socket: ClientSocket = connectClient(server.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    ...options,
  });
  clients.push(socket);
  return socket;
}

/** Connects a client with `auth.token` (or other options) and resolves once connected. */
export async function connect(server: TestServer, token: string | null, options: ClientOptions = {}) {
  const socket = client(server, token === null ? options : { auth: { token }, ...options });
  const connected = once(socket, 'connect');
  socket.connect();
  await connected;
  return socket;
}

/** Connects and resolves with the `connect_error` the server answers. */
export async function connectError(
  server: TestServer,
  options: ClientOptions,
): Promise<Error & { data?: { code: string; message: string } }> {
  const socket = client(server, options);
  const failed = once(socket, 'connect_error');
  socket.connect();
  const [error] = await failed;
  return error as Error & { data?: { code: string; message: string } };
}

/** Resolves with the arguments of the next `event` on `socket`; rejects after `timeoutMs`. */
export function once(socket: ClientSocket, event: string, timeoutMs = 3000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const untyped = socket as unknown as {
      once(event: string, fn: (...args: unknown[]) => void): void;
      off(event: string, fn: (...args: unknown[]) => void): void;
    };
    const listener = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      untyped.off(event, listener);
      reject(new Error(`timed out waiting for "${event}"`));
    }, timeoutMs);
    untyped.once(event, listener);
  });
}

/** Resolves with the payload of the next `event` on `socket`. */
export async function next<T = unknown>(socket: ClientSocket, event: string, timeoutMs?: number): Promise<T> {
  const [payload] = await once(socket, event, timeoutMs);
  return payload as T;
}

/** Records every server event a socket receives, to assert that one did NOT arrive. */
export function record(socket: ClientSocket): { name: string; args: unknown[] }[] {
  const seen: { name: string; args: unknown[] }[] = [];
  socket.onAny((name: string, ...args: unknown[]) => seen.push({ name, args }));
  return seen;
}

/**
 * A round trip on `socket`: everything the server sent to it before this call's answer has
 * arrived once this resolves (one connection delivers in order). Lets a test assert that an event
 * did NOT come without sleeping.
 */
export async function barrier(socket: ClientSocket): Promise<void> {
  const untyped = socket as unknown as {
    timeout(ms: number): { emitWithAck(ev: string, p: unknown): Promise<unknown> };
  };
  await untyped.timeout(3000).emitWithAck('sync', null);
}

/** Emits a client event and resolves with its ack answer. */
export function request<T = unknown>(socket: ClientSocket, event: string, payload: unknown): Promise<T> {
  const untyped = socket as unknown as {
    timeout(ms: number): { emitWithAck(ev: string, p: unknown): Promise<T> };
  };
  return untyped.timeout(3000).emitWithAck(event, payload);
}

/** Closes every client, then every server. */
export async function closeAll(): Promise<void> {
  for (const socket of clients.splice(0)) socket.disconnect();
  for (const { close } of servers.splice(0)) await close();
}
