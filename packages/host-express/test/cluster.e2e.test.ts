/**
 * Cluster mode end to end: three real `parley` processes on their own ports, one fresh PostgreSQL
 * database and the machine's Redis (a key prefix of this run's own, deleted after). Clients spread
 * over the nodes exercise every path that crosses nodes: private and group messages, delivery
 * receipts, typing, presence and its grace, revocation (logout, logout-all, password change)
 * disconnecting sockets on other nodes, and membership changes (kick, join, leave, dissolve)
 * moving another node's sockets. Then one node is killed with SIGKILL in the middle of two
 * message streams, one to a reader on it and one from a writer on it: they reconnect to the other
 * nodes and resume by seq, and every acknowledged message is there exactly once, seqs contiguous.
 */
import { randomBytes } from 'node:crypto';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  api,
  befriend as befriendAt,
  type ParleyProcess,
  register as registerAt,
  startParley,
  stopParleys,
} from './support/parley-bin.js';
import { clusterResources, TEST_REDIS_URL } from './support/services.js';

const GRACE_MS = 400;
const run = `${process.pid}_${randomBytes(4).toString('hex')}`;

const sockets: Socket[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

let nodes: ParleyProcess[] = [];
let env: Record<string, string> = {};

beforeAll(async () => {
  const resources = await clusterResources('cluster', run);
  cleanups.push(() => resources.cleanup());
  const { databaseUrl, dataDir, keyPrefix } = resources;
  env = {
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    BCRYPT_COST: '4',
    PRIVATE_MESSAGE_POLICY: 'anyone',
    JWT_SECRET: `cluster-secret-${run}-0123456789`,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    PRESENCE_GRACE_MS: String(GRACE_MS),
    EVENT_BURST: '2000',
  };
  // One node first, so the migrations run once; the other two find nothing left to do.
  const first = await startParley(env);
  nodes = [first, ...(await Promise.all([startParley(env), startParley(env)]))];
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await stopParleys();
  for (const cleanup of cleanups.reverse()) await cleanup();
}, 30_000);

// --- clients ---------------------------------------------------------------------------------------

const node = (i: number): string => {
  const found = nodes[i];
  if (!found) throw new Error(`no node ${i}`);
  return found.url;
};

/** Registers through node `at`. */
const register = (nickname: string, at = 0): Promise<Account> => registerAt(node(at), nickname);

/** A request through node 0, accepted through node 1: the friendship crosses nodes. */
const befriend = (a: Account, b: Account): Promise<void> => befriendAt(node(0), a, b, node(1));

/** A connected WebSocket-only client of `base`. */
async function connect(base: string, token: string): Promise<Socket> {
  const socket = connectClient(base, {
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

/** The next `event` on `socket` matching `match`, rejecting after `ms`. */
function next<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  match: (payload: T) => boolean = () => true,
  ms = 5000,
): Promise<T> {
  const failure = new Error(`no matching ${event} within ${ms} ms`); // made here, to point at the caller
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(failure);
    }, ms);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Every `event` on `socket` from now on. */
function record<T = Record<string, unknown>>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

async function call<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  payload: unknown,
  ms = 5000,
): Promise<T> {
  const answer = (await socket.timeout(ms).emitWithAck(event, payload)) as Ack<T>;
  if (!answer.ok) throw new Error(`${event} refused: ${answer.error.code} ${answer.error.message}`);
  return answer.data;
}

const disconnected = (socket: Socket, ms = 5000) =>
  new Promise<string>((resolve, reject) => {
    if (socket.disconnected) return resolve('already');
    const timer = setTimeout(() => reject(new Error(`socket not disconnected within ${ms} ms`)), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });

/** Time for an event that should not come to have come, had it been sent: a round trip through Redis and back, twice over. */
const quietly = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

interface Message {
  id: string;
  seq: number;
  conversationId: string;
  content: string;
  clientMsgId?: string | null;
}

// --- the paths that cross nodes ----------------------------------------------------------------------

describe('three parley nodes on PostgreSQL and Redis', () => {
  it('every node is in cluster mode on the shared store', async () => {
    for (let i = 0; i < 3; i++) {
      const health = await api(node(i), 'GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', store: 'up', storeKind: 'postgres', redis: 'up' });
    }
  });

  it('private messages, delivery receipts and typing cross nodes', async () => {
    const ann = await register('Ann', 0);
    const ben = await register('Ben', 1);
    const annSocket = await connect(node(0), ann.token);
    const benSocket = await connect(node(1), ben.token);
    const annOther = await connect(node(2), ann.token); // Ann's second device, on the third node

    const arrived = next<Message>(benSocket, 'new_private_message');
    const onOtherDevice = next<Message>(annOther, 'new_private_message');
    // Ben's client acknowledges the delivery with the ack callback, as the contract says.
    benSocket.once('new_private_message', (_m: Message, ack?: () => void) => ack?.());
    const delivered = next<{ messageId: string; userId: string }>(annSocket, 'message_delivered');
    const { message } = await call<{ message: Message }>(annSocket, 'private_message', {
      receiverId: ben.id,
      content: 'hello across nodes',
      clientMsgId: 'p-1',
    });
    expect((await arrived).id).toBe(message.id);
    expect((await onOtherDevice).id).toBe(message.id);
    expect(await delivered).toMatchObject({ messageId: message.id, userId: ben.id });

    const typing = next<{ from: string; isTyping: boolean }>(benSocket, 'typing_status_update');
    annSocket.emit('typing_status', { to: ben.id, isTyping: true });
    expect(await typing).toEqual({ from: ann.id, isTyping: true });

    // The REST fallback on one node reaches the sockets on the others too.
    const viaRest = next<Message>(annSocket, 'new_private_message', (m) => m.content === 'by REST');
    const sent = await api(node(2), 'POST', `/api/messages/private/${ann.id}`, {
      token: ben.token,
      body: { content: 'by REST' },
    });
    expect(sent.status).toBe(201);
    await viaRest;
  });

  it('presence: online and offline reach friends on other nodes; a reconnect through another node within the grace tells them nothing', async () => {
    const cal = await register('Cal', 0);
    const dee = await register('Dee', 1);
    await befriend(cal, dee);
    const deeSocket = await connect(node(1), dee.token);
    const heard = record<{ userId: string; status: string }>(deeSocket, 'user_presence');

    const online = next(deeSocket, 'user_presence', (p) => p.userId === cal.id);
    const calFirst = await connect(node(0), cal.token);
    expect(await online).toMatchObject({ userId: cal.id, status: 'online' });
    const friends = await api<{ friends: { user: { id: string }; online: boolean }[] }>(
      node(2),
      'GET',
      '/api/friends',
      {
        token: dee.token,
      },
    );
    expect(friends.body.friends.find((f) => f.user.id === cal.id)?.online).toBe(true);

    // Cal's connection drops on node 0 and comes back on node 2 well within the grace.
    calFirst.disconnect();
    const calAgain = await connect(node(2), cal.token);
    await quietly(GRACE_MS + 600);
    expect(heard.filter((p) => p.userId === cal.id).map((p) => p.status)).toEqual(['online']);

    // A real leave is told once the grace has passed.
    const offline = next(deeSocket, 'user_presence', (p) => p.userId === cal.id, GRACE_MS + 5000);
    calAgain.disconnect();
    expect(await offline).toMatchObject({ userId: cal.id, status: 'offline' });
    expect(heard.filter((p) => p.userId === cal.id).map((p) => p.status)).toEqual(['online', 'offline']);
  });

  it('group messages, group typing and membership changes (kick, join, leave, dissolve) move sockets on other nodes', async () => {
    const owner = await register('Owner', 0);
    const [m1, m2] = [await register('MemberOne', 1), await register('MemberTwo', 2)];
    await befriend(owner, m1);
    await befriend(owner, m2);
    const created = await api<{ group: { id: string } }>(node(0), 'POST', '/api/groups', {
      token: owner.token,
      body: { name: 'Across', memberIds: [m1.id, m2.id] },
    });
    expect(created.status).toBe(201);
    const groupId = created.body.group.id;
    const ownerSocket = await connect(node(0), owner.token);
    const s1 = await connect(node(1), m1.token);
    const s2 = await connect(node(2), m2.token);
    const got1 = record<Message>(s1, 'new_group_message');
    const got2 = record<Message>(s2, 'new_group_message');
    const sendGroup = (content: string) =>
      call<{ message: Message }>(ownerSocket, 'group_message', { groupId, content }).then((r) => r.message);

    const first = next<Message>(s2, 'new_group_message');
    const firstAtOne = next<Message>(s1, 'new_group_message');
    const one = await sendGroup('to everyone');
    expect((await first).id).toBe(one.id);
    expect((await firstAtOne).id).toBe(one.id);

    const typing = next<{ from: string; groupId?: string }>(s2, 'typing_status_update');
    s1.emit('typing_status', { groupId, isTyping: true });
    expect(await typing).toEqual({ from: m1.id, isTyping: true, groupId });

    // Kick on node 0: member two's socket on node 2 leaves the room.
    const removed = next(s2, 'group_member_removed');
    expect(
      (await api(node(0), 'DELETE', `/api/groups/${groupId}/members/${m2.id}`, { token: owner.token }))
        .status,
    ).toBe(204);
    await removed;
    // Waiters are set before sending: the broadcast may well reach a client before the sender's ack.
    const kickSeen = next<Message>(s1, 'new_group_message', (m) => m.content === 'after the kick');
    const afterKick = await sendGroup('after the kick');
    await kickSeen;
    await quietly();
    expect(got2.map((m) => m.id)).not.toContain(afterKick.id);

    // Added back on node 1: the socket on node 2 joins the room again, without reconnecting.
    const added = await api(node(1), 'POST', `/api/groups/${groupId}/members`, {
      token: owner.token,
      body: { userIds: [m2.id] },
    });
    expect(added.status).toBeLessThan(300);
    // No wait: the room change went into the stream before the answer, so before this message.
    const backSeen = next<Message>(s2, 'new_group_message', (m) => m.content === 'welcome back');
    const back = await sendGroup('welcome back');
    expect((await backSeen).id).toBe(back.id);

    // Member one leaves through node 2: its socket on node 1 stops hearing the group.
    expect(
      (await api(node(2), 'POST', `/api/groups/${groupId}/leave`, { token: m1.token })).status,
    ).toBeLessThan(300);
    const leaveSeen = next<Message>(s2, 'new_group_message', (m) => m.content === 'after the leave');
    const afterLeave = await sendGroup('after the leave');
    await leaveSeen;
    await quietly();
    expect(got1.map((m) => m.id)).not.toContain(afterLeave.id);

    // Dissolved on node 0: member two on node 2 hears it, and nothing of the group after.
    const dissolved = next(s2, 'group_dissolved');
    expect(
      (await api(node(0), 'DELETE', `/api/groups/${groupId}`, { token: owner.token })).status,
    ).toBeLessThan(300);
    await dissolved;
    // What each member heard of the owner's messages (the group's system notices left aside).
    const mine = ['to everyone', 'after the kick', 'welcome back', 'after the leave'];
    const heardOf = (got: Message[]) => got.map((m) => m.content).filter((c) => mine.includes(c));
    expect(heardOf(got1)).toEqual(['to everyone', 'after the kick', 'welcome back']);
    expect(heardOf(got2)).toEqual(['to everyone', 'welcome back', 'after the leave']);
  });

  it('revocation disconnects sockets on other nodes: logout, an ended session, password change, logout-all', async () => {
    const eve = await register('Eve', 0);
    const login = async () => {
      const res = await api<{ token: string }>(node(1), 'POST', '/api/auth/login', {
        body: { email: eve.email, password: currentPassword },
      });
      expect(res.status).toBe(200);
      return res.body.token;
    };
    let currentPassword = 'correct horse';
    const keep = await connect(node(1), eve.token);
    const phoneToken = await login();
    const phone = await connect(node(2), phoneToken);

    // Logout of the phone's session on node 0: its socket on node 2 goes, the other stays.
    const phoneGone = disconnected(phone);
    const notice = next<{ code: string }>(phone, 'chat_error');
    expect((await api(node(0), 'POST', '/api/auth/logout', { token: phoneToken })).status).toBe(204);
    expect(await notice).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await phoneGone).toBe('io server disconnect');
    await quietly();
    expect(keep.connected).toBe(true);

    // Ending a session from the device list (DELETE /api/auth/sessions/:id) through node 0: the
    // socket of that session on node 2 goes, the caller's on node 1 stays.
    const watchToken = await login();
    const watch = await connect(node(2), watchToken);
    const sessions = await api<{ sessions: { id: string; current: boolean }[] }>(
      node(0),
      'GET',
      '/api/auth/sessions',
      {
        token: watchToken,
      },
    );
    const watchSession = sessions.body.sessions.find((s) => s.current);
    expect(watchSession).toBeDefined();
    const watchGone = disconnected(watch);
    const ended = await api(node(0), 'DELETE', `/api/auth/sessions/${watchSession?.id}`, {
      token: eve.token,
    });
    expect(ended.status).toBe(204);
    expect(await watchGone).toBe('io server disconnect');
    await quietly();
    expect(keep.connected).toBe(true);

    // A password change through node 0 ends the other sessions, on node 1 too.
    const laptopToken = await login();
    const laptop = await connect(node(0), laptopToken);
    const keepGone = disconnected(keep);
    const changed = await api(node(0), 'PUT', '/api/users/me/password', {
      token: laptopToken,
      body: { currentPassword, newPassword: 'battery staple' },
    });
    expect(changed.status).toBe(200);
    currentPassword = 'battery staple';
    await keepGone;

    // Logout-all from node 2 ends every session, whatever node holds its sockets.
    const tabletToken = await login();
    const tablet = await connect(node(1), tabletToken);
    const bothGone = Promise.all([disconnected(tablet), disconnected(laptop)]);
    expect((await api(node(2), 'POST', '/api/auth/logout-all', { token: tabletToken })).status).toBe(204);
    await bothGone;
  });

  it('SIGKILL of a node mid-stream: its clients resume on the others; 0 lost, 0 duplicated, seqs contiguous', async () => {
    const sam = await register('Sam', 0); // writes to Rita, from node 0 (survives)
    const rita = await register('Rita', 1); // reads on node 2 (killed)
    const kim = await register('Kim', 1); // writes to Sam from node 2 (killed)
    const samSocket = await connect(node(0), sam.token);
    const fromKim = record<Message>(samSocket, 'new_private_message');

    // Rita's client: holds messages by id, counts live deliveries, resumes by seq on reconnect.
    const held = new Map<string, Message>();
    const liveCount = new Map<string, number>();
    const hold = (m: Message) => held.set(m.id, m);
    const attachRita = (socket: Socket) =>
      socket.on('new_private_message', (m: Message, ack?: () => void) => {
        liveCount.set(m.id, (liveCount.get(m.id) ?? 0) + 1);
        hold(m);
        ack?.();
      });
    let ritaSocket = await connect(node(2), rita.token);
    attachRita(ritaSocket);
    const heldUpTo = (conversationId: string) => {
      let seq = 0;
      const seqs = new Set(
        [...held.values()].filter((m) => m.conversationId === conversationId).map((m) => m.seq),
      );
      while (seqs.has(seq + 1)) seq += 1;
      return seq;
    };
    let syncs = 0;
    let synced = 0;
    const resume = async (socket: Socket, account: Account) => {
      const list = await api<{ id: string; lastSeq: number }[]>(node(1), 'GET', '/api/conversations', {
        token: account.token,
      });
      for (const item of list.body) {
        while (item.lastSeq > heldUpTo(item.id)) {
          const afterSeq = heldUpTo(item.id);
          const page = await call<{ messages: Message[] }>(socket, 'sync', {
            conversationId: item.id,
            afterSeq,
          });
          syncs += 1;
          synced += page.messages.length;
          for (const m of page.messages) hold(m);
          if (heldUpTo(item.id) === afterSeq) break;
        }
      }
    };

    // Kim's client: an outbox, resent with the same clientMsgId after a reconnect until acknowledged.
    const kimAcked = new Map<string, Message>();
    let kimResent = 0;
    const KIM_TOTAL = 80;
    const SAM_TOTAL = 160;
    let kimSocket = await connect(node(2), kim.token);
    const kimSend = async (socket: Socket, i: number) => {
      const { message } = await call<{ message: Message }>(
        socket,
        'private_message',
        { receiverId: sam.id, content: `kim ${i}`, clientMsgId: `kim-${i}` },
        2000,
      );
      kimAcked.set(`kim-${i}`, message);
    };
    const kimStream = (async () => {
      for (let i = 0; i < KIM_TOTAL; i++) {
        for (;;) {
          try {
            await kimSend(kimSocket, i);
            break;
          } catch {
            kimResent += 1;
            if (kimSocket.connected) continue;
            kimSocket = await connect(node(1), kim.token); // node 2 is gone: the next one
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const samAcked = new Map<string, Message>();
    let killedAt = -1;
    const samStream = (async () => {
      for (let i = 0; i < SAM_TOTAL; i++) {
        const { message } = await call<{ message: Message }>(samSocket, 'private_message', {
          receiverId: rita.id,
          content: `sam ${i}`,
          clientMsgId: `sam-${i}`,
        });
        samAcked.set(`sam-${i}`, message);
        if (i === 50) {
          killedAt = i;
          void nodes[2]?.kill();
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    // Rita notices the drop, reconnects to node 1 and resumes while Sam is still writing.
    await disconnected(ritaSocket, 10_000);
    ritaSocket = await connect(node(1), rita.token);
    attachRita(ritaSocket);
    await resume(ritaSocket, rita);
    await Promise.all([samStream, kimStream]);
    expect(killedAt).toBe(50);

    // Everything after the resume arrives live: wait (bounded) for the last one.
    const last = samAcked.get(`sam-${SAM_TOTAL - 1}`);
    const deadline = Date.now() + 5000;
    while (last && !held.has(last.id) && Date.now() < deadline) await quietly(20);

    // Rita's conversation: every acknowledged message held once, seqs 1…n with no gap.
    const ritaConversation = last?.conversationId ?? '';
    const ritaSeqs = [...held.values()]
      .filter((m) => m.conversationId === ritaConversation)
      .map((m) => m.seq);
    const ritaLost = [...samAcked.values()].filter((m) => !held.has(m.id)).length;
    const ritaLiveDuplicates = [...liveCount.values()].filter((n) => n > 1).length;

    // Kim's conversation, from the shared database through a surviving node.
    const stored: Message[] = [];
    for (let afterSeq = 0; ; ) {
      const page = await api<{ messages: Message[]; hasMore: boolean }>(
        node(0),
        'GET',
        `/api/messages/private/${kim.id}?afterSeq=${afterSeq}&limit=100`,
        { token: sam.token },
      );
      stored.push(...page.body.messages);
      if (!page.body.hasMore || page.body.messages.length === 0) break;
      afterSeq = page.body.messages.at(-1)?.seq ?? afterSeq;
    }
    const kimCopies = new Map<string, number>();
    for (const m of stored) kimCopies.set(m.clientMsgId ?? '', (kimCopies.get(m.clientMsgId ?? '') ?? 0) + 1);
    const kimLost = [...kimAcked.keys()].filter((id) => !kimCopies.has(id)).length;
    const kimStoredDuplicates = [...kimCopies.values()].filter((n) => n > 1).length;
    const samLiveDuplicates = fromKim.length - new Set(fromKim.map((m) => m.id)).size;

    const lost = ritaLost + kimLost;
    const duplicated = ritaLiveDuplicates + kimStoredDuplicates + samLiveDuplicates;
    const contiguous =
      JSON.stringify([...ritaSeqs].sort((a, b) => a - b)) ===
        JSON.stringify(Array.from({ length: samAcked.size }, (_, i) => i + 1)) &&
      JSON.stringify(stored.map((m) => m.seq)) ===
        JSON.stringify(Array.from({ length: KIM_TOTAL }, (_, i) => i + 1));
    console.log(
      `cluster SIGKILL: 3 nodes, node 2 killed after message 51 of ${SAM_TOTAL}; ` +
        `${samAcked.size + kimAcked.size} acknowledged (${samAcked.size} to a reader on the killed node, ` +
        `${kimAcked.size} from a writer on it, ${kimResent} resent after the kill), ` +
        `${syncs} syncs on resume brought ${synced}: ` +
        `${lost} lost, ${duplicated} duplicated, seqs ${contiguous ? 'contiguous' : 'NOT contiguous'}`,
    );
    expect(samAcked.size).toBe(SAM_TOTAL);
    expect(kimAcked.size).toBe(KIM_TOTAL);
    expect({ lost, duplicated, contiguous }).toEqual({ lost: 0, duplicated: 0, contiguous: true });
    expect(syncs).toBeGreaterThan(0);
    // The surviving nodes still report Redis and the store up.
    for (const i of [0, 1])
      expect((await api(node(i), 'GET', '/health')).body).toMatchObject({ redis: 'up' });
  }, 60_000);
});
