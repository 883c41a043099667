/**
 * A webhook receiver on loopback, for tests: what an integrator would write from the contract
 * alone. It verifies `Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * over the raw body bytes, refuses a timestamp more than the tolerance away from its own clock
 * (400) and a signature that does not match (401), and drops repeats by the event's `id` (answering
 * 200, as a receiver must, so the sender stops retrying) while counting them.
 *
 * Written against node:http and node:crypto alone and never with Parley's `verifyWebhookSignature`,
 * so an event that is accepted here proves the sender signs as the contract says rather than a
 * library agreeing with itself.
 *
 * A test can make it misbehave: answer the next requests with an error status ({@link
 * WebhookReceiver.failNext}), answer slowly ({@link WebhookReceiver.setDelay}), or be down — its
 * port closed, so connections are refused — between {@link WebhookReceiver.stop} and
 * {@link WebhookReceiver.start}, which listens again on the same port.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body of a webhook as the contract defines it. */
export interface WebhookEvent<T = unknown> {
  id: string;
  type: string;
  createdAt: string;
  data: T;
}

/** An event the receiver accepted, first copy only (repeats are counted, not kept). */
export interface AcceptedWebhook<T = unknown> extends WebhookEvent<T> {
  /** The raw body, exactly as received. */
  body: string;
  /** The `t` of the signature it was accepted with. */
  signedAt: number;
  /** `Parley-Delivery-Attempt`, as a number (NaN when absent). */
  attempt: number;
  receivedAt: Date;
}

/** One request answered, accepted or not, oldest first. */
export interface WebhookAttempt {
  status: number;
  /** Why it was refused or failed on purpose; `'accepted'` or `'repeat'` on 200. */
  outcome: 'accepted' | 'repeat' | 'failed-on-purpose' | 'refused';
  /** What was wrong, on a refusal. */
  reason?: string;
  /** The raw body. */
  body: string;
  /** The body's `id`, when it parsed. */
  eventId: string | undefined;
  /** `Parley-Event-Id`. */
  eventIdHeader: string | undefined;
  /** `Parley-Delivery-Attempt`, as a number (NaN when absent). */
  attempt: number;
  /** `Parley-Signature`. */
  signature: string | undefined;
  at: Date;
}

/** Options of {@link WebhookReceiver.failNext}. */
export interface FailOptions {
  /** The status answered. @default 500 */
  status?: number;
  /** Only requests whose (verified) event matches count and fail. @default every request */
  where?: (event: WebhookEvent) => boolean;
}

/** A loopback webhook receiver; see the module comment. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks/parley`: the URL to configure. */
  readonly url: string;
  readonly port: number;
  /** Accepted events, first copy of each id, in arrival order. */
  readonly events: readonly AcceptedWebhook[];
  /** Every request answered, in order. */
  readonly attempts: readonly WebhookAttempt[];
  /** Requests for an id already accepted (answered 200 and dropped). */
  readonly repeats: number;
  /** Requests read and recorded whose answer is not written yet (see {@link setDelay}, {@link hold}). */
  readonly inFlight: number;
  /**
   * Requests whose connection closed before their answer was written: the sender gave up or died
   * with the request on the wire, so it cannot know the outcome and will send it again.
   */
  readonly aborted: number;
  /** Repeats of one id. */
  repeatsOf(id: string): number;
  /** Accepted events of one type. */
  ofType<T = unknown>(type: string): AcceptedWebhook<T>[];
  /**
   * Answers the next `count` verified requests (those matching `where`) with `status` instead of
   * accepting them. Signature checks still come first: a bad request is refused, not counted.
   */
  failNext(count: number, options?: FailOptions): void;
  /** Holds every answer this long after the event is recorded (a slow receiver). 0 turns it off. */
  setDelay(ms: number): void;
  /**
   * Holds every answer from now on (after the delay) until {@link release}: requests stay on the
   * wire, so a test can act while a known number of deliveries are in flight.
   */
  hold(): void;
  /** Writes every held answer and stops holding. */
  release(): void;
  /**
   * Resolves with the accepted events once `done` holds for them, checked on each arrival; rejects
   * after `timeoutMs` saying what did arrive. @default timeoutMs 10000
   */
  waitFor(done: (events: readonly AcceptedWebhook[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Closes the port (and every open connection): senders' connections are refused. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops for good; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link startWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** The shared secret (`WEBHOOK_SECRET`). */
  secret: string;
  /** Seconds a signature's timestamp may be away from now, either way. @default 300 */
  toleranceSeconds?: number;
  /** @default 0 (ephemeral) */
  port?: number;
  /** Largest body accepted. @default 1 MiB */
  maxBodyBytes?: number;
}

/** The `Parley-Signature` value of `body` signed at `timestamp` (for tests sending their own requests). */
export function signatureFor(secret: string, body: string | Buffer, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const PATH = '/hooks/parley';

/** Starts the receiver on loopback. Close it in `afterAll`. */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const tolerance = options.toleranceSeconds ?? 300;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const secret = Buffer.from(options.secret, 'utf8');
  const events: AcceptedWebhook[] = [];
  const seen = new Map<string, number>();
  const attempts: WebhookAttempt[] = [];
  const waiters = new Set<() => void>();
  const failures: { remaining: number; status: number; where: (event: WebhookEvent) => boolean }[] = [];
  let repeats = 0;
  let inFlight = 0;
  let aborted = 0;
  let delayMs = 0;
  let held: (() => void)[] | null = null;
  let server: Server | null = null;
  let port = options.port ?? 0;
  let closed = false;

  function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBody) {
          reject(new Refusal(413, 'body too large'));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  /** The signature check of the contract: any `v1` may match; the timestamp must be recent. */
  function verify(header: string | undefined, raw: Buffer): number {
    if (header === undefined || header.length > 2048)
      throw new Refusal(400, 'no Parley-Signature, or an oversized one');
    let timestamp: number | undefined;
    const macs: Buffer[] = [];
    for (const part of header.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const key = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      if (key === 't') {
        if (!/^\d{1,12}$/.test(value)) throw new Refusal(400, `bad timestamp ${value}`);
        timestamp = Number(value);
      } else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) {
        macs.push(Buffer.from(value, 'hex'));
      }
    }
    if (timestamp === undefined) throw new Refusal(400, 'no timestamp in Parley-Signature');
    const skew = Math.floor(Date.now() / 1000) - timestamp;
    if (skew > tolerance) throw new Refusal(400, `timestamp ${skew} s old`);
    if (skew < -tolerance) throw new Refusal(400, `timestamp ${-skew} s in the future`);
    if (macs.length === 0) throw new Refusal(401, 'no v1 signature');
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest();
    if (!macs.some((mac) => mac.length === expected.length && timingSafeEqual(mac, expected)))
      throw new Refusal(401, 'signature does not match');
    return timestamp;
  }

  function parse(raw: Buffer): WebhookEvent {
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new Refusal(400, 'body is not JSON');
    }
    const event = value as Partial<WebhookEvent> | null;
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.id !== 'string' ||
      event.id.length === 0 ||
      typeof event.type !== 'string' ||
      typeof event.createdAt !== 'string' ||
      Number.isNaN(Date.parse(event.createdAt)) ||
      !('data' in event)
    )
      throw new Refusal(400, 'body is not { id, type, createdAt, data }');
    return event as WebhookEvent;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const signature = header(req, 'parley-signature');
    const eventIdHeader = header(req, 'parley-event-id');
    const attempt = Number(header(req, 'parley-delivery-attempt') ?? Number.NaN);
    let raw: Buffer = Buffer.alloc(0);
    let eventId: string | undefined;
    const answer = (status: number, outcome: WebhookAttempt['outcome'], reason?: string) => {
      attempts.push({
        status,
        outcome,
        ...(reason !== undefined && { reason }),
        body: raw.toString('utf8'),
        eventId,
        eventIdHeader,
        attempt,
        signature,
        at: new Date(),
      });
      inFlight += 1;
      let answered = false;
      res.once('close', () => {
        if (!answered) {
          answered = true;
          inFlight -= 1;
          aborted += 1;
        }
      });
      const send = () => {
        if (answered) return;
        answered = true;
        inFlight -= 1;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(reason ?? outcome);
      };
      const later = () => (held ? held.push(send) : send());
      if (delayMs > 0) setTimeout(later, delayMs);
      else later();
    };
    try {
      if (req.method !== 'POST') throw new Refusal(405, `${req.method} is not POST`);
      if (req.url !== PATH) throw new Refusal(404, `no hook at ${req.url}`);
      raw = await readBody(req);
      if (!String(req.headers['content-type']).startsWith('application/json'))
        throw new Refusal(415, 'content-type is not application/json');
      const signedAt = verify(signature, raw);
      const event = parse(raw);
      eventId = event.id;
      if (eventIdHeader !== event.id)
        throw new Refusal(400, `Parley-Event-Id ${eventIdHeader} is not the body's id ${event.id}`);
      const failure = failures.find((f) => f.remaining > 0 && f.where(event));
      if (failure) {
        failure.remaining -= 1;
        answer(failure.status, 'failed-on-purpose', `failing on purpose with ${failure.status}`);
        return;
      }
      const copies = seen.get(event.id);
      if (copies !== undefined) {
        seen.set(event.id, copies + 1);
        repeats += 1;
        answer(200, 'repeat');
        return;
      }
      seen.set(event.id, 1);
      events.push({ ...event, body: raw.toString('utf8'), signedAt, attempt, receivedAt: new Date() });
      answer(200, 'accepted');
      for (const wake of [...waiters]) wake();
    } catch (error) {
      if (error instanceof Refusal) answer(error.status, 'refused', error.message);
      else answer(500, 'refused', error instanceof Error ? error.message : String(error));
    }
  }

  async function start(): Promise<void> {
    if (closed) throw new Error('the receiver is closed');
    if (server !== null) return;
    const next = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        resolve();
      });
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  }

  async function stop(): Promise<void> {
    const current = server;
    if (current === null) return;
    server = null;
    await new Promise<void>((resolve) => {
      current.close(() => resolve());
      // Keep-alive connections would otherwise still take requests on a "closed" port.
      current.closeAllConnections();
    });
  }

  await start();

  return {
    get url() {
      return `http://127.0.0.1:${port}${PATH}`;
    },
    get port() {
      return port;
    },
    events,
    attempts,
    get repeats() {
      return repeats;
    },
    get inFlight() {
      return inFlight;
    },
    get aborted() {
      return aborted;
    },
    repeatsOf: (id) => Math.max(0, (seen.get(id) ?? 0) - 1),
    ofType: <T>(type: string) => events.filter((e) => e.type === type) as AcceptedWebhook<T>[],
    failNext(count, fail = {}) {
      failures.push({ remaining: count, status: fail.status ?? 500, where: fail.where ?? (() => true) });
    },
    setDelay(ms) {
      delayMs = ms;
    },
    hold() {
      held ??= [];
    },
    release() {
      const answers = held ?? [];
      held = null;
      for (const send of answers) send();
    },
    waitFor(done, timeoutMs = 10_000) {
      const failure = new Error('made here, to point at the caller');
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!done(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const refused = attempts.filter((a) => a.status >= 300).slice(-5);
          failure.message =
            `the receiver's events did not satisfy the wait within ${timeoutMs} ms: ` +
            `${events.length} accepted (${[...new Set(events.map((e) => e.type))].join(', ')}), ` +
            `${repeats} repeats, last refusals: ${JSON.stringify(refused.map((a) => [a.status, a.reason]))}`;
          reject(failure);
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop,
    start,
    async close() {
      closed = true;
      held = null;
      await stop();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
