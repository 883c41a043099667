/**
 * A client of a running Parley server on `@parley/client`, doing what the original README's test
 * section does: register two users, log in, connect, make them friends, send a private message
 * and receive it on the second client. The SDK's outbox gives the send its clientMsgId and its
 * states; the second client's view holds the message once.
 */
import {
  createParleyClient,
  createParleyRest,
  type FriendRequestView,
  type MessageView,
  type ParleyClient,
} from '@parley/client';

/** What {@link main} did. */
export interface ClientSummary {
  users: { id: string; email: string }[];
  sent: { id: string; seq: number; content: string };
  received: { id: string; senderId: string; receiverId: string; content: string };
}

/** Runs the README's steps against the server at `url`; every client is closed before it returns. */
export async function main({ url }: { url: string }): Promise<ClientSummary> {
  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const people = [
    { email: `alice-${stamp}@example.com`, password: 'alice-password-1', nickname: 'Alice' },
    { email: `bob-${stamp}@example.com`, password: 'bob-password-1', nickname: 'Bob' },
  ] as const;

  // 1. Register both users, then log in (register already answers a token; login shows the route).
  const rest = createParleyRest({ url });
  for (const person of people) await rest.auth.register(person);
  const [alice, bob] = await Promise.all(
    people.map((p) => rest.auth.login({ email: p.email, password: p.password })),
  );
  if (!alice || !bob) throw new Error('login failed');

  // 2. Connect both clients: the token rides in `auth.token`; they resume and go online.
  const options = { url, socketOptions: { transports: ['websocket'] } };
  const aliceClient = createParleyClient({ ...options, token: alice.token });
  const bobClient = createParleyClient({ ...options, token: bob.token });
  try {
    await Promise.all([aliceClient.whenOnline(), bobClient.whenOnline()]);

    // 3. Alice adds Bob as a friend; Bob accepts the request he is told about.
    const requestSeen = next<FriendRequestView>(bobClient, (resolve) =>
      bobClient.onServer('friend_request', resolve),
    );
    await aliceClient.rest.friends.add({ userId: bob.user.id });
    const request = await requestSeen;
    await bobClient.rest.friends.accept(request.id);

    // 4. Alice sends a private message through her outbox; Bob's client receives it.
    const received = next<MessageView>(bobClient, (resolve) =>
      bobClient.on('message:added', ({ message }) => resolve(message)),
    );
    const entry = aliceClient.send({ to: bob.user.id, content: 'Hello Bob!' });
    await aliceClient.outbox.idle();
    const sent = aliceClient.outbox.get(entry.clientMsgId);
    if (!sent?.message) throw new Error(`private_message not sent: ${sent?.error?.code ?? sent?.state}`);
    const message = await received;
    return {
      users: [alice.user, bob.user].map(({ id, email }) => ({ id, email })),
      sent: { id: sent.message.id, seq: sent.message.seq, content: sent.message.content },
      received: {
        id: message.id,
        senderId: message.senderId,
        receiverId: message.receiverId ?? '',
        content: message.content,
      },
    };
  } finally {
    await Promise.all([aliceClient.close(), bobClient.close()]);
  }
}

/** The first value `subscribe` hands its callback, or a rejection when the client closes first. */
function next<T>(client: ParleyClient, subscribe: (resolve: (value: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const offClosed = client.on('connection', ({ state }) => {
      if (state === 'closed') reject(new Error('the client closed first'));
    });
    const off = subscribe((value) => {
      off();
      offClosed();
      resolve(value);
    });
  });
}
