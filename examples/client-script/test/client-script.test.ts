import { createHost, type Host } from '@parley/host-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/client.js';

let host: Host;
let url: string;
beforeAll(async () => {
  host = await createHost({
    config: { nodeEnv: 'test', chat: { jwtSecret: 'client-script-secret-0123456789', bcryptCost: 4 } },
  });
  ({ url } = await host.listen(0, '127.0.0.1'));
});
afterAll(async () => {
  await host?.close();
});

describe("the original README's client steps against a running host", () => {
  it('registers, logs in, befriends and delivers a private message to the second client', async () => {
    const summary = await main({ url });
    expect(summary.users).toHaveLength(2);
    const [alice, bob] = summary.users;
    expect(summary.sent).toMatchObject({ seq: 1, content: 'Hello Bob!' });
    expect(summary.received).toEqual({
      id: summary.sent.id,
      senderId: alice?.id,
      receiverId: bob?.id,
      content: 'Hello Bob!',
    });
  });
});
