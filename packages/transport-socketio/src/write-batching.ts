/**
 * One system call for a socket's queued frames instead of one per frame.
 *
 * Engine.IO writes a socket's first packet of a turn at once and queues the ones that follow until
 * that write's callback (the next tick); it then hands the whole queue to the transport in one
 * synchronous loop, announced by its server's `flush` event and closed by `drain`. Over WebSocket
 * each packet is one `ws` frame and each frame one `write` to the TCP socket, so a chat socket
 * that is owed eight acknowledgements in a turn costs eight system calls, the largest single cost
 * of a busy server (a third to a half of its CPU in `pnpm bench`). Corking the TCP socket for that
 * loop makes the batch one `writev`: the same frames, bytes and order, written together, and
 * nothing waits for it (the batch was already waiting for Engine.IO's own callback).
 *
 * Only the WebSocket transport is touched (long-polling answers a request in one write anyway).
 * The TCP socket is reached through `ws`'s `_socket`, the field Engine.IO's own transport relies
 * on; where it is not a corkable stream (another `ws`, a test double) nothing is batched.
 */

/** The part of a TCP socket a batch needs. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/** The part of an Engine.IO socket the events carry. */
interface EngineSocketLike {
  transport?: { name?: string; socket?: { _socket?: unknown } } | undefined;
}

/** The part of an Engine.IO server this module listens to. */
export interface EngineServerLike {
  on(event: 'flush', listener: (socket: EngineSocketLike, buffer: readonly unknown[]) => void): unknown;
  on(event: 'drain', listener: (socket: EngineSocketLike) => void): unknown;
  off(event: 'flush' | 'drain', listener: (...args: never[]) => void): unknown;
}

function tcpSocketOf(socket: EngineSocketLike): Corkable | undefined {
  const transport = socket.transport;
  if (transport?.name !== 'websocket') return undefined;
  const tcp = transport.socket?._socket as Partial<Corkable> | null | undefined;
  return typeof tcp?.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as Corkable) : undefined;
}

/**
 * Batches each Engine.IO flush of two or more packets into one write; returns the function that
 * stops it. Flushes never interleave (each runs `flush` → sends → `drain` synchronously), so one
 * slot is enough; a flush whose transport threw before `drain` is uncorked by the next event.
 */
export function batchSocketWrites(engine: EngineServerLike): () => void {
  let corked: Corkable | null = null;
  const release = () => {
    const tcp = corked;
    corked = null;
    tcp?.uncork();
  };
  const onFlush = (socket: EngineSocketLike, buffer: readonly unknown[]) => {
    release();
    // One packet is one frame, which `ws` already writes in one call.
    if (buffer.length < 2) return;
    const tcp = tcpSocketOf(socket);
    if (tcp === undefined) return;
    tcp.cork();
    corked = tcp;
  };
  engine.on('flush', onFlush);
  engine.on('drain', release);
  return () => {
    release();
    engine.off('flush', onFlush as (...args: never[]) => void);
    engine.off('drain', release);
  };
}
