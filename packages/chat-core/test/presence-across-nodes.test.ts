/**
 * Two engines over one store and one presence store, as two nodes of a cluster: the offline grace
 * holds when a user leaves through one node and comes back through the other.
 */
import { describe, expect, it } from 'vitest';
import {
  type ChatEngine,
  type ChatEventMap,
  createChatEngine,
  memoryMailer,
  memoryPresence,
  memoryStore,
} from '../src/index.js';
import { testClock } from '../src/testing/test-clock.js';

function twoNodes(presenceGraceMs: number) {
  const store = memoryStore();
  const presence = memoryPresence();
  const clock = testClock();
  const make = () =>
    createChatEngine({
      store,
      presence,
      clock,
      mailer: memoryMailer(),
      config: { jwtSecret: 'parley-two-nodes-secret-0123456789', bcryptCost: 4, presenceGraceMs },
    });
  const nodes = [make(), make()] as const;
  const heard: ChatEventMap['user_presence'][] = [];
  for (const node of nodes) node.events.on('user_presence', (payload) => heard.push(payload));
  return { nodes, heard, clock };
}

async function friends(engine: ChatEngine) {
  const [alice, bob] = await Promise.all(
    ['alice', 'bob'].map((name) =>
      engine.auth.register({ email: `${name}@example.test`, password: 'correct horse', nickname: name }),
    ),
  );
  if (!alice || !bob) throw new Error('registration failed');
  const { request, friend } = await engine.friends.sendRequest(alice.user.id, { userId: bob.user.id });
  if (!friend) await engine.friends.accept(bob.user.id, request.id);
  return { alice: alice.user.id };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('presence grace across nodes', () => {
  it('leaving through one node and back through the other within the grace tells friends nothing', async () => {
    const { nodes, heard } = twoNodes(80);
    const [a, b] = nodes;
    const { alice } = await friends(a);
    await a.presence.connected(alice, 'a-1');
    expect(heard.map((p) => p.status)).toEqual(['online']);
    await a.presence.disconnected(alice, 'a-1');
    await b.presence.connected(alice, 'b-1');
    await settle(200); // node a's grace timer has run, and found Alice online
    expect(heard.map((p) => p.status)).toEqual(['online']);
    for (const node of nodes) await node.close();
  });

  it('back after the grace: friends heard offline, then hear online', async () => {
    const { nodes, heard, clock } = twoNodes(40);
    const [a, b] = nodes;
    const { alice } = await friends(a);
    await a.presence.connected(alice, 'a-1');
    await a.presence.disconnected(alice, 'a-1');
    await settle(120);
    clock.advance(1000);
    await b.presence.connected(alice, 'b-1');
    expect(heard.map((p) => p.status)).toEqual(['online', 'offline', 'online']);
    for (const node of nodes) await node.close();
  });
});
