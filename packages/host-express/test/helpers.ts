/**
 * End-to-end helpers: a host on an ephemeral loopback port over memoryStore, with a memory mailer
 * to read codes from, real `fetch` and real socket.io-client.
 */

import { Writable } from 'node:stream';
import {
  type ChatStore,
  type Clock,
  createChatEngine,
  type MemoryMailer,
  memoryMailer,
  memoryStore,
  type PushSender,
} from '@parley/chat-core';
import { createHost, type Host, type HostConfigInput, hostConfig } from '@parley/host-express';
import { type Logger, pino } from 'pino';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll } from 'vitest';

export interface TestServer {
  host: Host;
  url: string;
  mailer: MemoryMailer;
  api: Api;
  /** Registers a user with a unique email; answers its id, token and credentials. */
  user(nickname?: string): Promise<TestUser>;
  /** Makes two users friends through a request and its acceptance. */
  befriend(a: TestUser, b: TestUser): Promise<void>;
  /** Two fresh users who are friends. */
  friends(): Promise<[TestUser, TestUser]>;
  /** A connected socket for this token (auth.token unless told otherwise). */
  connect(token: string, how?: 'auth' | 'query' | 'header'): Promise<Socket>;
  /** Closes every socket opened through `connect` and the host. */
  close(): Promise<void>;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  nickname: string;
  token: string;
}

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are read field by field
  body: any;
  headers: Headers;
}

export type Api = (
  method: string,
  path: string,
  options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
) => Promise<ApiResponse>;

let counter = 0;

/** A unique email for this process. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Date.now().toString(36)}@example.test`;
}

/**
 * Starts a host on 127.0.0.1 with an ephemeral port. With `clock`, the test builds the engine
 * itself (so it can move time) and hands it to the host, which then leaves it to the test to close.
 */
export async function startServer(
  options: {
    config?: HostConfigInput;
    store?: ChatStore;
    clock?: Clock;
    logger?: Logger;
    pushSender?: PushSender;
  } = {},
): Promise<TestServer> {
  const mailer = memoryMailer();
  const config = hostConfig({
    nodeEnv: 'test',
    // Every test user registers from 127.0.0.1; the rate-limit test sets its own small budget.
    authRateLimit: { points: 100_000, windowMs: 60_000 },
    ...options.config,
    chat: {
      jwtSecret: 'parley-e2e-secret-0123456789abcdef',
      bcryptCost: 4,
      presenceGraceMs: 0,
      ...options.config?.chat,
    },
  });
  const store = options.store ?? memoryStore();
  const logger = options.logger ?? pino({ level: 'silent' });
  const engine = options.clock
    ? createChatEngine({ config: config.chat, store, mailer, clock: options.clock, logger })
    : undefined;
  const host = await createHost({
    config,
    store,
    mailer,
    logger,
    ...(engine && { engine }),
    ...(options.pushSender && { pushSender: options.pushSender }),
  });
  const { url } = await host.listen(0, '127.0.0.1');
  const sockets: Socket[] = [];

  const api: Api = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if (text.length > 0 && res.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
    if (text.length === 0) parsed = undefined;
    return { status: res.status, body: parsed, headers: res.headers };
  };

  const user = async (nickname = `user${++counter}`): Promise<TestUser> => {
    const email = uniqueEmail(nickname.toLowerCase().replace(/[^a-z0-9]/g, '') || 'user');
    const password = 'correct horse battery';
    const res = await api('POST', '/api/auth/register', { body: { email, password, nickname } });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.user.id, email, password, nickname, token: res.body.token };
  };

  const befriend = async (a: TestUser, b: TestUser) => {
    const sent = await api('POST', '/api/friends/add', { token: a.token, body: { userId: b.id } });
    if (sent.status !== 201)
      throw new Error(`friend request failed: ${sent.status} ${JSON.stringify(sent.body)}`);
    const accepted = await api('POST', `/api/friends/requests/${sent.body.request.id}/accept`, {
      token: b.token,
    });
    if (accepted.status !== 200)
      throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  };

  const friends = async (): Promise<[TestUser, TestUser]> => {
    const a = await user();
    const b = await user();
    await befriend(a, b);
    return [a, b];
  };

  const connect = (token: string, how: 'auth' | 'query' | 'header' = 'auth') =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connectClient(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...(how === 'auth' && { auth: { token } }),
        ...(how === 'query' && { query: { token } }),
        ...(how === 'header' && { extraHeaders: { authorization: `Bearer ${token}` } }),
      });
      sockets.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => reject(error));
    });

  return {
    host,
    url,
    mailer,
    api,
    user,
    befriend,
    friends,
    connect,
    async close() {
      for (const socket of sockets) socket.disconnect();
      await host.close();
      await engine?.close();
    },
  };
}

/**
 * The server of one test file: started in `beforeAll` with `options`, closed in `afterAll`. The
 * object answered is filled in when the hook runs, so use it inside tests only.
 */
export function useServer(options: Parameters<typeof startServer>[0] = {}): TestServer {
  const server = {} as TestServer;
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await startServer(options);
    Object.assign(server, started);
  });
  afterAll(async () => {
    await started?.close();
  });
  return server;
}

/** Resolves with the next payload of `event` on `socket` (rejects after `ms`). */
export function nextEvent<T = unknown>(socket: Socket, event: string, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, onEvent);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const onEvent = (payload: T) => {
      clearTimeout(timer);
      socket.off(event, onEvent);
      resolve(payload);
    };
    socket.on(event, onEvent);
  });
}

/** Emits with an ack and resolves with the ack's answer. */
export function emitWithAck<T = unknown>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<T>;
}

/** The 6-digit code of the newest email to `address`. */
export function codeFrom(mailer: MemoryMailer, address: string): string {
  const mail = mailer.lastTo(address);
  const code = mail?.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in the last email to ${address}`);
  return code;
}

/** A pino logger at `info` whose JSON lines are kept in `lines`, for tests that read the log. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}
