/**
 * Parley embedded in a plain script, no server: two users register and verify their email, become
 * friends, and one blocks the other. Run it with `pnpm --filter @parley/example-embed-basics start`.
 */
import { pathToFileURL } from 'node:url';
import { createChatEngine, type FriendView, memoryMailer, memoryStore } from '@parley/chat-core';

/** What the walkthrough ended with; the example's test checks it. */
export interface EmbedBasicsSummary {
  users: { id: string; nickname: string; emailVerified: boolean }[];
  events: string[];
  friendsOfAlice: FriendView[];
  blockedByBob: string[];
  aliceRequestAfterBlock: string;
}

/** Walks through the basics, printing each step with `log`. */
export async function main(log: (line: string) => void = console.log): Promise<EmbedBasicsSummary> {
  // The memory mailer keeps every email so we can read the verification code out of it.
  const mailer = memoryMailer();
  const engine = createChatEngine({
    store: memoryStore(),
    mailer,
    config: { jwtSecret: 'embed-basics-example-secret', bcryptCost: 4 },
  });
  const events: string[] = [];
  engine.events.on('friend_request', (request, audience) => {
    events.push(`friend_request → ${audience.users?.join(',')}`);
    log(`  event friend_request from ${request.from.nickname} to ${request.to.nickname}`);
  });
  engine.events.on('friend_request_accepted', (request, audience) => {
    events.push(`friend_request_accepted → ${audience.users?.join(',')}`);
    log(`  event friend_request_accepted: ${request.to.nickname} accepted ${request.from.nickname}`);
  });

  try {
    const register = async (email: string, nickname: string) => {
      const { user } = await engine.auth.register({ email, password: `${nickname}-secret-pw`, nickname });
      const code = /\b(\d{6})\b/.exec(mailer.lastTo(email)?.text ?? '')?.[1] ?? '';
      const verified = await engine.auth.verifyEmail({ email, code });
      log(`1. ${nickname} registered (${user.id}) and verified ${email} with code ${code}`);
      return verified.user;
    };
    const alice = await register('alice@example.test', 'Alice');
    const bob = await register('bob@example.test', 'Bob');

    const { token } = await engine.auth.login({ email: 'alice@example.test', password: 'Alice-secret-pw' });
    const session = await engine.auth.authenticate(token);
    log(`2. Alice logged in; her token authenticates as ${session.userId}`);

    const { request } = await engine.friends.sendRequest(alice.id, {
      email: 'bob@example.test',
      message: 'Hi Bob!',
    });
    log(`3. Alice asked Bob to be friends (request ${request.id}, "${request.message}")`);
    await engine.friends.accept(bob.id, request.id);
    const friendsOfAlice = (await engine.friends.list(alice.id)).items;
    log(`4. Bob accepted; Alice's friends: ${friendsOfAlice.map((f) => f.user.nickname).join(', ')}`);

    await engine.blacklist.add(bob.id, { userId: alice.id });
    const blockedByBob = (await engine.blacklist.list(bob.id)).items.map((u) => u.nickname);
    log(`5. Bob blocked ${blockedByBob.join(', ')} (still friends: blocking keeps the history)`);

    await engine.friends.remove(alice.id, bob.id);
    let aliceRequestAfterBlock = 'accepted';
    try {
      await engine.friends.sendRequest(alice.id, { userId: bob.id });
    } catch (error) {
      aliceRequestAfterBlock = (error as { code?: string }).code ?? 'error';
    }
    log(`6. Alice unfriended Bob and asked again: refused with ${aliceRequestAfterBlock}`);

    return {
      users: [alice, bob].map((u) => ({ id: u.id, nickname: u.nickname, emailVerified: u.emailVerified })),
      events,
      friendsOfAlice,
      blockedByBob,
      aliceRequestAfterBlock,
    };
  } finally {
    await engine.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
