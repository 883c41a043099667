/**
 * A loopback TCP proxy (127.0.0.1 only) that cuts and stalls the connections through it on
 * command, for network-fault tests. The upstream port is read at each new connection, so a
 * restarted host behind it is picked up.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

interface Pair {
  downstream: Socket;
  upstream: Socket;
  stalled: boolean;
}

export interface ChaosProxy {
  readonly url: string;
  /** Connections proxied so far, cuts and stalls made. */
  readonly figures: { connections: number; cuts: number; stalls: number };
  /** Destroys one live connection chosen with `random`; answers false when none is live. */
  cut(random: () => number): boolean;
  /** Stops moving bytes on one live connection for `ms`, then lets them flow again. */
  stall(random: () => number, ms: number): boolean;
  close(): Promise<void>;
}

/** Starts a proxy to 127.0.0.1:`upstreamPort()`. */
export async function startChaosProxy(upstreamPort: () => number): Promise<ChaosProxy> {
  const pairs = new Set<Pair>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const figures = { connections: 0, cuts: 0, stalls: 0 };
  const server = createServer((downstream) => {
    figures.connections += 1;
    const upstream = tcpConnect(upstreamPort(), '127.0.0.1');
    const pair: Pair = { downstream, upstream, stalled: false };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    for (const socket of [downstream, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const pick = (random: () => number): Pair | undefined => {
    const live = [...pairs].filter((p) => !p.stalled);
    return live[Math.floor(random() * live.length)];
  };
  return {
    url: `http://127.0.0.1:${port}`,
    figures,
    cut(random) {
      const pair = pick(random);
      if (!pair) return false;
      figures.cuts += 1;
      pair.downstream.destroy();
      pair.upstream.destroy();
      return true;
    },
    stall(random, ms) {
      const pair = pick(random);
      if (!pair) return false;
      figures.stalls += 1;
      pair.stalled = true;
      pair.downstream.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.downstream);
      pair.downstream.pause();
      pair.upstream.pause();
      const timer = setTimeout(() => {
        timers.delete(timer);
        pair.stalled = false;
        if (pair.downstream.destroyed || pair.upstream.destroyed) return;
        pair.downstream.pipe(pair.upstream);
        pair.upstream.pipe(pair.downstream);
      }, ms);
      timers.add(timer);
      return true;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const pair of pairs) {
        pair.downstream.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A seeded RNG (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
