/**
 * The interop story every client library plays against a real host, and the contract checks on
 * what it saw. A JavaScript client plays it through {@link playStory}; python_client.py plays the
 * same story and prints the same {@link Observations} as JSON, so one {@link checkObservations}
 * judges them all.
 *
 * The story: users `a` and `b` register over REST, become friends and share a group. Socket `A`
 * (user a, `token` query parameter), `A2` (a's second device, `auth.token`) and `B` (user b,
 * `auth.token`) connect. A sends b a private message (B acks it, A must get `message_delivered`)
 * and the group a message; b answers both. Then A's connection drops; while it is away b and a's
 * other device send private and group messages. A reconnects and resumes as the contract says:
 * `GET /api/conversations`, then `sync { conversationId, afterSeq }` for every conversation whose
 * `lastSeq` is above what A holds. A must then hold every message of both conversations.
 */
import { expect } from 'vitest';

/** The type of one argument a handler received, as `typeof` says, with `null` and `array` apart. */
export type ArgType =
  | 'object'
  | 'array'
  | 'null'
  | 'string'
  | 'number'
  | 'boolean'
  | 'function'
  | 'undefined';

/** One server→client event as a socket's handler received it. */
export interface ReceivedEvent {
  /** Which socket: `A`, `A2` (a's second device) or `B`. */
  at: 'A' | 'A2' | 'B';
  event: string;
  /** The type of every argument the handler was called with, ack callback included. */
  argTypes: ArgType[];
  // biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field
  payload: any;
}

/** A socket event's ack answer as received. */
// biome-ignore lint/suspicious/noExplicitAny: ack bodies are read field by field
export type AckAnswer = any;

/** What a client saw while playing the story. */
export interface Observations {
  client: string;
  users: { a: string; b: string };
  groupId: string;
  /** Whether the handshake with the `token` query parameter (A) and with `auth.token` (A2, B) succeeded. */
  connected: { query: boolean; auth: boolean };
  /** The ack of A's `private_message` to b and of A's `group_message`. */
  privateAck: AckAnswer;
  groupAck: AckAnswer;
  /** The acks of b's private and group message to a. */
  replyAcks: AckAnswer[];
  /** Every server→client event each socket received, in order. */
  received: ReceivedEvent[];
  /** Exceptions thrown by the documented one-argument (or `(message, ack)`) handlers. */
  handlerErrors: string[];
  resume: {
    /** Why A's client saw the connection end. */
    dropReason: string;
    /** The acks of the messages b and A2 sent while A was away. */
    sentWhileAway: AckAnswer[];
    /** The body of `GET /api/conversations` after the reconnect. */
    // biome-ignore lint/suspicious/noExplicitAny: read field by field
    conversations: any;
    /** Every `sync` call A made after the reconnect, with its answer. */
    syncs: { request: { conversationId: string; afterSeq: number }; answer: AckAnswer }[];
    /** What A holds at the end, per conversation id: `{ seq, id }` ascending by seq. */
    held: Record<string, { seq: number; id: string }[]>;
  };
}

/** How the client hands the ack of `new_private_message` back: as a callback argument (JS) or a handler's return (Python). */
export type AckStyle = 'argument' | 'return';

const STEP_MS = 5000;

/** Rejects with `what` when `promise` takes longer than `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = STEP_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function argType(value: unknown): ArgType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as ArgType;
}

/** The subset of the socket.io-client API (v3 and v4 alike) the story uses. */
export interface StorySocket {
  readonly connected: boolean;
  readonly io: { engine: { close(): void } };
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  onAny(listener: (event: string, ...args: unknown[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

/** Opens a socket to `url` with `token` in the query string or in `auth.token`, without automatic reconnection. */
export type OpenSocket = (url: string, token: string, how: 'query' | 'auth') => StorySocket;

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are read field by field
async function rest(url: string, method: string, path: string, token?: string, body?: unknown): Promise<any> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status} ${text}`);
  return text.length > 0 ? JSON.parse(text) : undefined;
}

let registered = 0;

async function register(url: string, nickname: string): Promise<{ id: string; token: string }> {
  registered += 1;
  const email = `${nickname}-${process.pid}-${registered}-${Date.now().toString(36)}@example.test`;
  const body = await rest(url, 'POST', '/api/auth/register', undefined, {
    email,
    password: 'interop password',
    nickname,
  });
  return { id: body.user.id, token: body.token };
}

/** Plays the story with a JavaScript client; every socket it opens is closed before it returns. */
export async function playStory(client: string, url: string, open: OpenSocket): Promise<Observations> {
  const a = await register(url, 'InteropA');
  const b = await register(url, 'InteropB');
  const request = await rest(url, 'POST', '/api/friends/add', a.token, { userId: b.id });
  await rest(url, 'POST', `/api/friends/requests/${request.request.id}/accept`, b.token);
  const created = await rest(url, 'POST', '/api/groups', a.token, { name: 'Interop', memberIds: [b.id] });
  const groupId: string = created.group.id;

  const received: ReceivedEvent[] = [];
  const handlerErrors: string[] = [];
  const waiters = new Set<() => void>();
  const until = (what: string, test: (event: ReceivedEvent) => boolean): Promise<ReceivedEvent> =>
    within(
      new Promise<ReceivedEvent>((resolve) => {
        const check = () => {
          const found = received.find(test);
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
      what,
    );

  /** What A's client holds: per conversation, seq → message id. */
  const held = new Map<string, Map<number, string>>();
  // biome-ignore lint/suspicious/noExplicitAny: message views are read field by field
  const hold = (message: any) => {
    if (typeof message?.conversationId !== 'string' || typeof message.seq !== 'number') return;
    const seqs = held.get(message.conversationId) ?? new Map<number, string>();
    held.set(message.conversationId, seqs);
    seqs.set(message.seq, message.id);
  };
  /** The seq up to which A holds every message: what it tells `sync` (a gap is filled, not skipped). */
  const heldUpTo = (conversationId: string) => {
    const seqs = held.get(conversationId);
    let seq = 0;
    while (seqs?.has(seq + 1)) seq += 1;
    return seq;
  };

  const sockets: StorySocket[] = [];
  const watch = (at: ReceivedEvent['at'], socket: StorySocket) => {
    sockets.push(socket);
    socket.onAny((event, ...args) => {
      received.push({ at, event, argTypes: args.map(argType), payload: args[0] });
      for (const waiter of [...waiters]) waiter();
    });
    const guard =
      (event: string, handler: (...args: never[]) => void) =>
      (...args: never[]) => {
        try {
          handler(...args);
        } catch (error) {
          handlerErrors.push(`${at} ${event}: ${(error as Error).message}`);
        }
      };
    // The README's handler, verbatim: a thrown "ack is not a function" is recorded.
    socket.on(
      'new_private_message',
      guard('new_private_message', (message: { id: string }, ack?: () => void) => {
        if (at === 'A') hold(message);
        ack?.();
      }),
    );
    // One-argument handlers, as the contract promises they suffice.
    socket.on(
      'new_group_message',
      guard('new_group_message', (message: { id: string }) => {
        if (at === 'A') hold(message);
      }),
    );
    return socket;
  };

  const connected = (socket: StorySocket) =>
    within(
      new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true));
        socket.once('connect_error', () => resolve(false));
      }),
      'connect',
    );
  const call = (socket: StorySocket, event: string, payload: unknown): Promise<AckAnswer> =>
    within(new Promise((resolve) => socket.emit(event, payload, resolve)), `ack of ${event}`);

  try {
    const A = watch('A', open(url, a.token, 'query'));
    const A2 = watch('A2', open(url, a.token, 'auth'));
    const B = watch('B', open(url, b.token, 'auth'));
    const [queryOk, authOk2, authOkB] = await Promise.all([connected(A), connected(A2), connected(B)]);

    // After every (re)connect, as the contract says: list the conversations, sync each one whose
    // lastSeq is above what A holds.
    const resumeA = async () => {
      const conversations = await rest(url, 'GET', '/api/conversations', a.token);
      const syncs: Observations['resume']['syncs'] = [];
      for (const item of Array.isArray(conversations) ? conversations : []) {
        while (typeof item.lastSeq === 'number' && item.lastSeq > heldUpTo(item.id)) {
          const request = { conversationId: item.id as string, afterSeq: heldUpTo(item.id) };
          const answer = await call(A, 'sync', request);
          syncs.push({ request, answer });
          if (!answer?.ok) break;
          for (const message of answer.data.messages) hold(message);
          if (heldUpTo(item.id) === request.afterSeq) break; // no progress: the check reports the gap
        }
      }
      return { conversations, syncs };
    };
    await resumeA();

    const privateAck = await call(A, 'private_message', { receiverId: b.id, content: 'private from A' });
    if (privateAck?.ok) hold(privateAck.data.message);
    const privateId = privateAck?.data?.message?.id;
    await until('B gets the private message', (e) => e.at === 'B' && e.payload?.id === privateId);
    await until(
      'A gets message_delivered',
      (e) => e.at === 'A' && e.event === 'message_delivered' && e.payload?.messageId === privateId,
    );
    await until(
      "A's other device gets the private message",
      (e) => e.at === 'A2' && e.payload?.id === privateId,
    );

    const groupAck = await call(A, 'group_message', { groupId, content: 'group from A' });
    if (groupAck?.ok) hold(groupAck.data.message);
    const groupMessageId = groupAck?.data?.message?.id;
    await until('B gets the group message', (e) => e.at === 'B' && e.payload?.id === groupMessageId);
    await until(
      "A's other device gets the group message",
      (e) => e.at === 'A2' && e.payload?.id === groupMessageId,
    );

    const replyAcks = [
      await call(B, 'private_message', { receiverId: a.id, content: 'private reply from B' }),
      await call(B, 'group_message', { groupId, content: 'group reply from B' }),
    ];
    for (const ack of replyAcks) {
      const id = ack?.data?.message?.id;
      await until('A gets the reply', (e) => e.at === 'A' && e.payload?.id === id);
    }

    // The connection drops (the transport closes without a Socket.IO disconnect packet).
    const dropped = within(new Promise<string>((resolve) => A.once('disconnect', resolve)), 'disconnect');
    A.io.engine.close();
    const dropReason = await dropped;

    const sentWhileAway = [
      await call(B, 'private_message', { receiverId: a.id, content: 'away 1' }),
      await call(B, 'group_message', { groupId, content: 'away 2' }),
      await call(A2, 'private_message', { receiverId: b.id, content: 'away 3 from my other device' }),
      await call(A2, 'group_message', { groupId, content: 'away 4 from my other device' }),
      await call(B, 'private_message', { receiverId: a.id, content: 'away 5' }),
      await call(B, 'group_message', { groupId, content: 'away 6' }),
    ];

    const back = connected(A);
    A.connect();
    await back;
    const { conversations, syncs } = await resumeA();

    return {
      client,
      users: { a: a.id, b: b.id },
      groupId,
      connected: { query: queryOk, auth: authOk2 && authOkB },
      privateAck,
      groupAck,
      replyAcks,
      received,
      handlerErrors,
      resume: {
        dropReason,
        sentWhileAway,
        conversations,
        syncs,
        held: Object.fromEntries(
          [...held].map(([id, seqs]) => [
            id,
            [...seqs].sort(([x], [y]) => x - y).map(([seq, messageId]) => ({ seq, id: messageId })),
          ]),
        ),
      },
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}

const describeEvent = (e: ReceivedEvent) => `${e.at} ${e.event}(${e.argTypes.join(', ')})`;

/**
 * The contract's checks on one client's observations. `ackStyle` says how the client receives the
 * ack of `new_private_message`: JS handlers get it as a second argument, Python handlers ack by
 * returning.
 */
export function checkObservations(obs: Observations, ackStyle: AckStyle): void {
  const { a, b } = obs.users;
  expect(obs.connected, 'handshake with the token query parameter and with auth.token').toEqual({
    query: true,
    auth: true,
  });
  expect(obs.privateAck, 'ack of private_message').toMatchObject({
    ok: true,
    data: { message: { senderId: a, receiverId: b, content: 'private from A', seq: 1 } },
  });
  expect(obs.groupAck, 'ack of group_message').toMatchObject({
    ok: true,
    data: { message: { senderId: a, groupId: obs.groupId, content: 'group from A' } },
  });
  for (const ack of obs.replyAcks) expect(ack, 'ack of b’s reply').toMatchObject({ ok: true });
  expect(obs.handlerErrors, 'documented handlers threw').toEqual([]);

  // Exactly the payload, plus the ack where one is named: nothing appended.
  const withAck: ArgType[] = ackStyle === 'argument' ? ['object', 'function'] : ['object'];
  const socketUser = (at: ReceivedEvent['at']) => (at === 'B' ? b : a);
  const wrong = obs.received.filter((e) => {
    if (e.event !== 'new_private_message') return e.argTypes.join() !== 'object';
    const toReceiver = e.payload?.receiverId === socketUser(e.at);
    // The sender's other devices get their own message as a copy: an ack there is optional.
    if (!toReceiver) return e.argTypes.join() !== 'object' && e.argTypes.join() !== withAck.join();
    return e.argTypes.join() !== withAck.join();
  });
  expect(wrong.map(describeEvent), 'events whose handler got other arguments than the contract’s').toEqual(
    [],
  );

  const privateId = obs.privateAck.data.message.id;
  const groupMessageId = obs.groupAck.data.message.id;
  const at = (where: ReceivedEvent['at'], event: string, id: string) =>
    obs.received
      .filter((e) => e.at === where && e.event === event && e.payload?.id === id)
      .map(describeEvent);
  expect(at('B', 'new_private_message', privateId)).toEqual([`B new_private_message(${withAck.join(', ')})`]);
  expect(at('A2', 'new_private_message', privateId)).toHaveLength(1);
  expect(at('B', 'new_group_message', groupMessageId)).toEqual(['B new_group_message(object)']);
  expect(at('A2', 'new_group_message', groupMessageId)).toEqual(['A2 new_group_message(object)']);
  const delivered = obs.received.filter(
    (e) => e.at === 'A' && e.event === 'message_delivered' && e.payload?.messageId === privateId,
  );
  expect(delivered.map(describeEvent)).toEqual(['A message_delivered(object)']);
  expect(delivered[0]?.payload).toMatchObject({ messageId: privateId, userId: b });

  // Resuming by seq: every message of both conversations, the ones sent while away included.
  const { resume } = obs;
  for (const ack of resume.sentWhileAway)
    expect(ack, 'ack of a message sent while A was away').toMatchObject({ ok: true });
  expect(Array.isArray(resume.conversations), 'GET /api/conversations answers an array').toBe(true);
  const privateConversation = obs.privateAck.data.message.conversationId;
  const groupConversation = obs.groupAck.data.message.conversationId;
  for (const id of [privateConversation, groupConversation]) {
    const item = resume.conversations.find((c: { id: string }) => c.id === id);
    expect(item, `conversation ${id} in GET /api/conversations`).toBeDefined();
    expect(typeof item.lastSeq, 'lastSeq of a conversation item').toBe('number');
    const seqs = (resume.held[id] ?? []).map((m) => m.seq);
    expect(seqs, `seqs held of conversation ${id} after resuming`).toEqual(
      Array.from({ length: item.lastSeq }, (_, i) => i + 1),
    );
  }
  for (const ack of resume.sentWhileAway) {
    const message = ack.data.message;
    const ids = (resume.held[message.conversationId] ?? []).map((m) => m.id);
    expect(ids, `"${message.content}" (seq ${message.seq}) after resuming`).toContain(message.id);
  }
  for (const { request, answer } of resume.syncs)
    expect(answer, `sync ${JSON.stringify(request)}`).toMatchObject({ ok: true });
}
