/**
 * In process: `engine.messages.sendPrivate` + `markDelivered` on memoryStore, no sockets, so the
 * core's own CPU per message and what it keeps per message can be read apart from the transport.
 * With `dispatcher` as the third argument the same goes through `engine.dispatcher` as a socket
 * event does (`handle('private_message')` with its event budget, then `received`).
 *
 * node --expose-gc --conditions=parley-source --import tsx bench/send/send-bench.ts [messages=100000] [pairs=32] [engine|dispatcher]
 */
import { createChatEngine, memoryMailer, memoryStore } from '@parley/chat-core';

const total = Number(process.argv[2] ?? 100_000);
const pairCount = Number(process.argv[3] ?? 32);
const viaDispatcher = process.argv[4] === 'dispatcher';
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

const mailer = memoryMailer();
const engine = createChatEngine({
  store: memoryStore(),
  mailer,
  config: {
    jwtSecret: 'send-bench-secret-0123456789abcdef',
    bcryptCost: 4,
    privateMessagePolicy: 'friends',
    eventRateLimit: { perSecond: 1e9, burst: viaDispatcher ? 1e9 : 0 },
  },
});

const users: string[] = [];
for (let i = 0; i < pairCount * 2; i++) {
  const { user } = await engine.auth.register({
    email: `u${i}@bench.test`,
    password: 'bench-password-1',
    nickname: `u${i}`,
  });
  users.push(user.id);
}
for (let p = 0; p < pairCount; p++) {
  const a = users[2 * p] as string;
  const b = users[2 * p + 1] as string;
  const { request, friend } = await engine.friends.sendRequest(a, { userId: b });
  if (!friend) await engine.friends.accept(b, request.id);
}
const content = 'Hello from the Parley benchmark: an ordinary chat message of about a hundred characters.';

const connection = { connectionId: 'c1' };

async function run(n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const p = i % pairCount;
    const sender = users[2 * p] as string;
    const receiver = users[2 * p + 1] as string;
    const payload = { receiverId: receiver, content, clientMsgId: `${tag}-${i}` };
    if (viaDispatcher) {
      const answer = await engine.dispatcher.handle(sender, 'private_message', payload, connection);
      if (!answer.ok) throw new Error(`send refused: ${answer.error.code}`);
      await engine.dispatcher.received(receiver, (answer.data as { message: { id: string } }).message.id);
      continue;
    }
    const { message } = await engine.messages.sendPrivate(sender, payload, connection);
    await engine.messages.markDelivered(receiver, message.id);
  }
}

await run(Math.min(20_000, total), 'warm');
const before = heap();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(total, 'run');
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const after = heap();
console.log(
  JSON.stringify({
    messages: total,
    wallMs: Math.round(ms),
    cpuUsPerMessage: Number(((cpu.user + cpu.system) / total).toFixed(2)),
    keptBytesPerMessage: Math.round((after - before) / total),
  }),
);
