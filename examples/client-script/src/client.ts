/**
 * A client of a running Parley server doing what the original README's test section does:
 * register two users, log in, connect with `io(url, { query: { token } })`, make them friends,
 * send a private message and receive it on the second client.
 */
import { io, type Socket } from 'socket.io-client';

/** What {@link main} did. */
export interface ClientSummary {
  users: { id: string; email: string }[];
  sent: { id: string; seq: number; content: string };
  received: { id: string; senderId: string; receiverId: string; content: string };
}

interface ApiError {
  error: { code: string; message: string };
}

async function call<T>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(url + path, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const { error } = parsed as ApiError;
    throw new Error(`${method} ${path} → ${res.status} ${error.code}: ${error.message}`);
  }
  return parsed as T;
}

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // The original README's client: the token rides in the `token` query parameter.
    const socket = io(url, {
      query: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

/** Runs the README's steps against the server at `url`; every socket is closed before it returns. */
export async function main({ url }: { url: string }): Promise<ClientSummary> {
  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const people = [
    { email: `alice-${stamp}@example.com`, password: 'alice-password-1', nickname: 'Alice' },
    { email: `bob-${stamp}@example.com`, password: 'bob-password-1', nickname: 'Bob' },
  ] as const;

  // 1. Register both users, then log in (register already answers a token; login shows the route).
  type Auth = { token: string; user: { id: string; email: string } };
  for (const person of people) await call<Auth>(url, 'POST', '/api/auth/register', person);
  const [alice, bob] = await Promise.all(
    people.map((p) => call<Auth>(url, 'POST', '/api/auth/login', { email: p.email, password: p.password })),
  );
  if (!alice || !bob) throw new Error('login failed');

  // 2. Connect both clients.
  const aliceSocket = await connect(url, alice.token);
  const bobSocket = await connect(url, bob.token);
  try {
    // 3. Alice adds Bob as a friend; Bob accepts the request he is told about.
    const requestSeen = new Promise<{ id: string }>((resolve) => bobSocket.once('friend_request', resolve));
    await call(url, 'POST', '/api/friends/add', { userId: bob.user.id }, alice.token);
    const request = await requestSeen;
    await call(url, 'POST', `/api/friends/requests/${request.id}/accept`, undefined, bob.token);

    // 4. Alice sends a private message; Bob's client receives it.
    const received = new Promise<ClientSummary['received']>((resolve) =>
      bobSocket.once('new_private_message', resolve),
    );
    const ack = (await aliceSocket.timeout(5000).emitWithAck('private_message', {
      receiverId: bob.user.id,
      content: 'Hello Bob!',
    })) as { ok: true; data: { message: ClientSummary['sent'] } } | { ok: false; error: { code: string } };
    if (!ack.ok) throw new Error(`private_message refused: ${ack.error.code}`);
    const message = await received;
    return {
      users: [alice.user, bob.user].map(({ id, email }) => ({ id, email })),
      sent: { id: ack.data.message.id, seq: ack.data.message.seq, content: ack.data.message.content },
      received: {
        id: message.id,
        senderId: message.senderId,
        receiverId: message.receiverId,
        content: message.content,
      },
    };
  } finally {
    aliceSocket.disconnect();
    bobSocket.disconnect();
  }
}
