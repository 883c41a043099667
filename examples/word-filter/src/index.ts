/**
 * Parley's in-process hooks in a script: a word filter (before-send) and an audit log
 * (after-commit). Run it with `pnpm --filter @parley/example-word-filter start`.
 */
import { pathToFileURL } from 'node:url';
import {
  type CommittedEvent,
  createChatEngine,
  isChatError,
  memoryMailer,
  memoryStore,
} from '@parley/chat-core';
import { wordFilter } from './word-filter.js';

/** What the walkthrough ended with; the example's test checks it. */
export interface WordFilterSummary {
  sent: string[];
  refused: string[];
  stored: string[];
  audit: string[];
}

export async function main(log: (line: string) => void = console.log): Promise<WordFilterSummary> {
  const mailer = memoryMailer();
  const audit: string[] = [];
  const engine = createChatEngine({
    store: memoryStore(),
    mailer,
    config: { jwtSecret: 'word-filter-example-secret', bcryptCost: 4 },
    hooks: {
      beforeSend: wordFilter({ mask: ['darn', 'heck'], block: ['spamcoin'] }),
      // Hears every committed event, with the id a webhook receiver would get; never blocks a send.
      afterCommit: (event: CommittedEvent) => {
        if (event.type === 'new_private_message') audit.push(`${event.id} ${event.data.content}`);
      },
    },
  });
  const sent: string[] = [];
  const refused: string[] = [];
  try {
    const register = async (nickname: string) => {
      const email = `${nickname.toLowerCase()}@example.test`;
      const { user } = await engine.auth.register({ email, password: `${nickname}-secret-pw`, nickname });
      return user;
    };
    const alice = await register('Alice');
    const bob = await register('Bob');
    const { request } = await engine.friends.sendRequest(alice.id, { userId: bob.id });
    await engine.friends.accept(bob.id, request.id);

    for (const content of [
      'Darn, the train is late',
      'What the heck?',
      'Buy SpamCoin now!',
      'See you at eight',
    ]) {
      try {
        const { message } = await engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content });
        sent.push(message.content);
        log(`sent:    ${JSON.stringify(content)} → stored as ${JSON.stringify(message.content)}`);
      } catch (error) {
        if (!isChatError(error)) throw error;
        refused.push(`${error.code}: ${content}`);
        log(`refused: ${JSON.stringify(content)} (${error.code}: ${error.message})`);
      }
    }
    const history = await engine.messages.privateHistory(bob.id, alice.id);
    // afterCommit runs just after the send answers; give it the turn it needs.
    await new Promise((resolve) => setImmediate(resolve));
    return { sent, refused, stored: history.messages.map((m) => m.content), audit };
  } finally {
    await engine.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
