import type { IncomingMessage } from 'node:http';
import type { ServerOptions } from 'socket.io';

/**
 * Largest frame a client may send: 1 MB, as the contract says. A message whose content is over
 * its own limit (5,000 characters by default) still arrives and is answered PAYLOAD_TOO_LARGE in
 * its ack, with the socket left connected; only a frame past this size closes the connection.
 */
export const MAX_HTTP_BUFFER_SIZE = 1_000_000;

/** How long a dropped connection may come back with its rooms and missed events, when recovery is on. */
export const MAX_DISCONNECTION_DURATION_MS = 2 * 60_000;

/** Parley's options on top of Socket.IO's own. */
export interface ParleyServerOptions extends Partial<ServerOptions> {
  /**
   * Turns on Socket.IO's connection state recovery (two minutes, the handshake run again). Off by
   * default: with it on, Socket.IO appends its recovery offset to every broadcast, which clients
   * older than socket.io-client 4.6 and other languages' clients see as an extra argument; it keeps
   * every broadcast in memory for the whole window; and it replays group broadcasts but never the
   * private messages sent with a delivery ack. Resuming by seq (`GET /api/conversations`, then
   * `sync`) is what gives a client everything it missed, with recovery on or off.
   * @default false
   */
  recovery?: boolean;
  /**
   * Browser origins allowed to connect: `'*'` or a list of origins. Applied to the HTTP
   * long-polling requests (CORS) and to WebSocket upgrades alike, since a browser sends no CORS
   * preflight before a WebSocket. A request without an `Origin` header (a non-browser client) is
   * always allowed: origins are a browser's notion.
   * @default no check (Socket.IO's own default)
   */
  origins?: '*' | readonly string[];
}

/**
 * Whether a request may open a connection under `origins`: any origin for `'*'`, listed ones
 * otherwise, and always when the request carries no `Origin` (not a browser).
 */
export function originAllowed(origins: '*' | readonly string[], origin: string | undefined): boolean {
  if (origin === undefined || origins === '*') return true;
  return origins.includes(origin.replace(/\/+$/, ''));
}

/**
 * Recommended Socket.IO server options for Parley: frames up to 1 MB (content limits are the
 * engine's, answered in the ack), `perMessageDeflate` off (chat frames are small; deflate costs
 * memory per socket), connection state recovery off unless `recovery: true`, and `origins`
 * enforced on WebSocket upgrades as well as on polling. Other fields are Socket.IO's and win.
 *
 * ```ts
 * const io = new Server(httpServer, socketServerOptions({ origins: ['https://app.example.com'] }));
 * ```
 */
export function socketServerOptions(options: ParleyServerOptions = {}): Partial<ServerOptions> {
  const { recovery = false, origins, ...overrides } = options;
  const base: Partial<ServerOptions> = {
    maxHttpBufferSize: MAX_HTTP_BUFFER_SIZE,
    perMessageDeflate: false,
  };
  if (recovery) {
    base.connectionStateRecovery = {
      maxDisconnectionDuration: MAX_DISCONNECTION_DURATION_MS,
      skipMiddlewares: false,
    };
  }
  if (origins !== undefined) {
    const list = origins === '*' ? '*' : [...origins];
    // Bearer tokens, not cookies: no credentials, so '*' is safe to answer.
    base.cors = { origin: list === '*' ? '*' : list.length === 0 ? false : list };
    base.allowRequest = (
      req: IncomingMessage,
      callback: (err: string | null | undefined, ok: boolean) => void,
    ) => {
      const allowed = originAllowed(origins, req.headers.origin);
      callback(allowed ? null : 'Origin not allowed', allowed);
    };
  }
  return { ...base, ...overrides };
}
