import type { ServerOptions } from 'socket.io';

/**
 * Largest frame a client may send. The biggest payload of the contract is a 5,000-character text
 * message: up to ~20 KB in UTF-8 plus its envelope, so 64 KiB leaves room without inviting floods.
 */
export const MAX_HTTP_BUFFER_SIZE = 64 * 1024;

/** How long a dropped connection may come back with its rooms and missed events. */
export const MAX_DISCONNECTION_DURATION_MS = 2 * 60_000;

/**
 * Recommended Socket.IO server options for Parley: `maxHttpBufferSize` sized to the contract (64
 * KiB), `perMessageDeflate` off (chat frames are small; deflate costs memory per socket), and
 * connection state recovery for two minutes with the auth middleware still run on recovery, so a
 * revoked or expired token cannot come back. `overrides` win, shallowly.
 *
 * ```ts
 * const io = new Server(httpServer, socketServerOptions({ cors: { origin: PUBLIC_URL } }));
 * ```
 */
export function socketServerOptions(overrides: Partial<ServerOptions> = {}): Partial<ServerOptions> {
  return {
    maxHttpBufferSize: MAX_HTTP_BUFFER_SIZE,
    perMessageDeflate: false,
    connectionStateRecovery: {
      maxDisconnectionDuration: MAX_DISCONNECTION_DURATION_MS,
      skipMiddlewares: false,
    },
    ...overrides,
  };
}
