/**
 * Test helpers: a real host in-process (createHost over an explicit store, an ephemeral loopback
 * port), users and friendships made through the SDK's own REST helpers, and waits on client
 * events instead of sleeps.
 */
import { type ChatStore, memoryStore, type PushSender } from '@parley/chat-core';
import {
  type ConnectionState,
  createParleyClient,
  createParleyRest,
  type FetchLike,
  type ParleyClient,
  type ParleyClientOptions,
  type ParleyRest,
} from '@parley/client';
import { createHost, type Host, type HostConfigInput } from '@parley/host-express';
import { pino } from 'pino';

export const JWT_SECRET = 'parley-client-test-secret-0123456789';

export interface TestHost {
  host: Host;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts a host on 127.0.0.1 (port 0 unless told) over `store` (a fresh memoryStore by default). */
export async function startHost(
  options: { store?: ChatStore; port?: number; config?: HostConfigInput; pushSender?: PushSender } = {},
): Promise<TestHost> {
  const host = await createHost({
    store: options.store ?? memoryStore(),
    ...(options.pushSender && { pushSender: options.pushSender }),
    logger: pino({ level: 'silent' }),
    config: {
      nodeEnv: 'test',
      authRateLimit: { points: 100_000, windowMs: 60_000 },
      ...options.config,
      chat: {
        jwtSecret: JWT_SECRET,
        bcryptCost: 4,
        presenceGraceMs: 0,
        ...options.config?.chat,
      },
    },
  });
  const { url, port } = await host.listen(options.port ?? 0, '127.0.0.1');
  return { host, url, port, close: () => host.close() };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  rest: ParleyRest;
}

let counter = 0;

/** Registers a user through the SDK. */
export async function register(url: string, nickname = `user${++counter}`): Promise<TestUser> {
  const email = `${nickname.toLowerCase()}-${process.pid}-${++counter}-${Date.now().toString(36)}@example.test`;
  const password = 'correct horse battery';
  const { user, token } = await createParleyRest({ url }).auth.register({ email, password, nickname });
  return { id: user.id, email, password, token, rest: createParleyRest({ url, token }) };
}

/** Signs `user` in once more, as another device would: a new token (a new session) sent with `userAgent`. */
export async function loginAgain(url: string, user: TestUser, userAgent: string): Promise<TestUser> {
  const withAgent: FetchLike = (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), 'user-agent': userAgent },
    });
  const { token } = await createParleyRest({ url, fetch: withAgent }).auth.login({
    email: user.email,
    password: user.password,
  });
  return { ...user, token, rest: createParleyRest({ url, token, fetch: withAgent }) };
}

/** Makes two users friends: a request and its acceptance. */
export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const { request } = await a.rest.friends.add({ userId: b.id });
  await b.rest.friends.accept(request.id);
}

/** Clients made in a test file, closed by `closeAll`. */
export function clientPool() {
  const clients: ParleyClient[] = [];
  return {
    make(url: string, token: string, options: Partial<ParleyClientOptions> = {}): ParleyClient {
      const client = createParleyClient({
        url,
        token,
        backoff: { minMs: 50, maxMs: 500 },
        ackTimeoutMs: 3000,
        socketOptions: { transports: ['websocket'] },
        ...options,
      });
      clients.push(client);
      return client;
    },
    async closeAll() {
      await Promise.all(clients.splice(0).map((client) => client.close()));
    },
  };
}

/** Resolves once `check()` holds, re-checking on every client event; rejects after `ms`. */
export function until(
  client: ParleyClient,
  check: () => boolean,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (error?: Error) => {
      clearTimeout(timer);
      for (const off of offs) off();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), ms);
    const recheck = () => {
      if (check()) done();
    };
    for (const event of [
      'message:added',
      'message:changed',
      'conversation:updated',
      'connection',
      'outbox',
      'typing',
      'presence',
      'resumed',
    ] as const)
      offs.push(client.on(event, recheck));
  });
}

/** Resolves when the client reaches `state`. */
export function reach(client: ParleyClient, state: ConnectionState, ms = 10_000): Promise<void> {
  return until(client, () => client.state === state, ms, `state ${state}`);
}
