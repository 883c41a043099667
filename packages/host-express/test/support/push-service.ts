/**
 * A real Web Push service on loopback, for tests: it speaks RFC 8030 (push message delivery), checks
 * VAPID as RFC 8292 says a push service must, and then does the user agent's half of RFC 8291 too,
 * decrypting each message with the subscription's private key. Decryption is written here against
 * node:crypto alone, never with web-push or http_ece, so a payload that arrives intact proves the
 * sender's encryption is real rather than a library agreeing with itself.
 *
 * It serves HTTPS, not HTTP, because push services do (RFC 8030 §8) and because `web-push` sends
 * through `https.request` whatever the endpoint's scheme says. Its certificate is self-signed and
 * made at start; a sender trusts it through {@link PushServiceFake.agent} (web-push's `agent`
 * option) and nothing else, so no process-wide TLS setting is touched.
 */

import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  type ECDH,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Urgency values of RFC 8030 §5.3; a request without the header is `normal`. */
export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

/** What `PushSubscription.toJSON()` gives in a browser, with keys in unpadded base64url. */
export interface PushSubscriptionJSON {
  endpoint: string;
  /** Browsers answer `null` for subscriptions that do not expire; so does this fake. */
  expirationTime: null;
  keys: {
    /** The subscription's P-256 public key, uncompressed (65 bytes). */
    p256dh: string;
    /** The 16-byte authentication secret. */
    auth: string;
  };
}

/** The VAPID claims of an accepted message, as the push service verified them. */
export interface VerifiedVapid {
  /** The `k` parameter: the application server's P-256 public key, base64url as sent. */
  publicKey: string;
  /** The `sub` claim: a `mailto:` or `https:` contact. */
  subject: string;
  /** The `aud` claim, always this service's origin once verified. */
  audience: string;
  /** The `exp` claim. */
  expiresAt: Date;
}

/** A push message the service accepted (201) and decrypted. */
export interface ReceivedPush {
  endpoint: string;
  /** The push message resource answered in `Location`, absolute like real services answer it. */
  location: string;
  /** The decrypted plaintext as UTF-8; `''` for a message sent without a payload. */
  payload: string;
  /** The decrypted plaintext bytes, padding removed. */
  bytes: Buffer;
  /** `JSON.parse(payload)`; throws when the payload is not JSON. */
  json(): unknown;
  /** The `TTL` header in seconds. */
  ttl: number;
  urgency: PushUrgency;
  /** The `Topic` header, `undefined` when absent. */
  topic: string | undefined;
  vapid: VerifiedVapid;
  receivedAt: Date;
}

/** One request the service answered, accepted or not. */
export interface PushAttempt {
  /** The endpoint URL the request was sent to (this service's origin and the request path). */
  endpoint: string;
  status: number;
  /** Why the request was refused, or that a `respondWith` override answered it; absent on 201. */
  reason?: string;
}

/** Options of {@link PushServiceFake.respondWith}. */
export interface RespondWithOptions {
  /**
   * How many requests get the status before the endpoint behaves normally again; `1` is "the next
   * request only".
   * @default Infinity
   */
  times?: number;
  /** Seconds for a `Retry-After` header, as services send with 429 and 503. @default undefined */
  retryAfter?: number;
}

/** Options of {@link PushServiceFake.subscribe}. */
export interface SubscribeOptions {
  /**
   * The application server key the subscription is restricted to (RFC 8292 §4), base64url of the
   * uncompressed P-256 point, as a page passes it to `pushManager.subscribe`. `null` makes an
   * unrestricted subscription, which still requires a valid VAPID token but with any key.
   * @default the service's `vapidPublicKey`, else `null`
   */
  applicationServerKey?: string | null;
}

/** A loopback push service; see the module comment. */
export interface PushServiceFake {
  /** `https://127.0.0.1:<port>`, the origin a VAPID `aud` claim must name. */
  url: string;
  /** The service's self-signed certificate in PEM, for a sender that takes a CA rather than an agent. */
  ca: string;
  /** An `https.Agent` that trusts {@link ca}: pass it as web-push's `agent` option. */
  agent: Agent;
  /**
   * Makes a browser-like subscription: a fresh P-256 key pair and a 16-byte auth secret, whose
   * private halves stay here to decrypt what arrives for its endpoint.
   */
  subscribe(options?: SubscribeOptions): PushSubscriptionJSON;
  /** Messages accepted and decrypted, oldest first; for one endpoint or all. `[]` when none. */
  received(endpoint?: string): ReceivedPush[];
  /** Every request answered, oldest first, including overrides and refusals; for one endpoint or all. */
  attempts(endpoint?: string): PushAttempt[];
  /** The attempts answered with a status of 400 or more, each with its reason. */
  rejections(endpoint?: string): PushAttempt[];
  /**
   * The first received message that matches, already here or still to come. Rejects after
   * `timeoutMs` with what was received and refused meanwhile, so a failing test says why.
   * @default predicate: any message; timeoutMs: 5000
   */
  waitFor(predicate?: (push: ReceivedPush) => boolean, timeoutMs?: number): Promise<ReceivedPush>;
  /**
   * Answers requests to this endpoint with `status` (e.g. 410 Gone for an expired subscription,
   * 429 with `retryAfter`, 500) instead of delivering them, before any other check, as a service
   * that has dropped or throttled a subscription does. Throws for an endpoint this service never
   * issued, so a typo cannot make an override silently apply to nothing.
   */
  respondWith(endpoint: string, status: number, options?: RespondWithOptions): void;
  /** Stops the server and the agent; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link startPushService}. */
export interface PushServiceOptions {
  /**
   * The application server key subscriptions are restricted to unless `subscribe` says otherwise:
   * a message whose VAPID `k` differs is refused with 403, as RFC 8292 §4.2 requires.
   * @default undefined (subscriptions are unrestricted)
   */
  vapidPublicKey?: string;
}

/** RFC 8030 §7.2: a service must accept 4096 bytes of body and may refuse more with 413. */
const MAX_BODY_BYTES = 4096;
/** RFC 8292 §4.2: an `exp` more than 24 hours ahead makes the token invalid. */
const MAX_VAPID_LIFETIME_SECONDS = 24 * 60 * 60;
const URGENCIES: ReadonlySet<string> = new Set<PushUrgency>(['very-low', 'low', 'normal', 'high']);
const BASE64URL = /^[A-Za-z0-9_-]*$/;

interface Subscription {
  endpoint: string;
  ecdh: ECDH;
  publicKey: Buffer;
  auth: Buffer;
  applicationServerKey: Buffer | null;
}

interface Override {
  status: number;
  remaining: number;
  retryAfter: number | undefined;
}

interface Waiter {
  predicate: (push: ReceivedPush) => boolean;
  resolve: (push: ReceivedPush) => void;
}

/** A refusal with the status the service answers it with. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts a push service on an ephemeral loopback port. Close it in `afterAll`.
 */
export async function startPushService(options: PushServiceOptions = {}): Promise<PushServiceFake> {
  const defaultKey = options.vapidPublicKey === undefined ? null : decodePoint(options.vapidPublicKey);
  const { cert, key } = selfSignedCertificate();
  const subscriptions = new Map<string, Subscription>();
  const overrides = new Map<string, Override>();
  const received: ReceivedPush[] = [];
  const attempts: PushAttempt[] = [];
  const waiters = new Set<Waiter>();
  let origin = '';

  const server = createServer({ cert, key }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Only a bug here lands in this catch; answering it keeps the sender from hanging on it.
      if (!res.headersSent) answer(res, 500, String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const endpoint = origin + path;
    // The body is read before any answer, so a keep-alive connection stays usable after a refusal.
    const body = await readBody(req);
    const record = (status: number, reason?: string): void => {
      attempts.push(reason === undefined ? { endpoint, status } : { endpoint, status, reason });
    };

    const override = overrides.get(endpoint);
    if (override && override.remaining > 0) {
      override.remaining -= 1;
      record(override.status, `respondWith(${override.status})`);
      if (override.retryAfter !== undefined) res.setHeader('Retry-After', String(override.retryAfter));
      answer(res, override.status, 'status set by respondWith');
      return;
    }

    try {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw new Refusal(405, `method ${req.method} is not allowed; push messages are POSTed`);
      }
      const subscription = subscriptions.get(endpoint);
      if (!subscription) throw new Refusal(404, `no subscription at ${path}`);
      const push = accept(req, body, subscription, endpoint);
      record(201);
      received.push(push);
      res.setHeader('Location', push.location);
      // RFC 8030 §5.2: the TTL answered is the one the service keeps the message for.
      res.setHeader('TTL', String(push.ttl));
      res.writeHead(201, { 'Content-Length': '0' }).end();
      for (const waiter of waiters) {
        if (waiter.predicate(push)) waiter.resolve(push);
      }
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      record(error.status, error.message);
      answer(res, error.status, error.message);
    }
  }

  function accept(
    req: IncomingMessage,
    body: Buffer | null,
    sub: Subscription,
    endpoint: string,
  ): ReceivedPush {
    const ttlHeader = header(req, 'ttl');
    // RFC 8030 §5.2: an application server MUST send TTL; autopush and FCM answer 400 without it.
    if (ttlHeader === undefined) throw new Refusal(400, 'TTL header is required (RFC 8030 §5.2)');
    if (!/^\d+$/.test(ttlHeader)) throw new Refusal(400, `TTL must be delta-seconds, got "${ttlHeader}"`);
    const urgency = header(req, 'urgency') ?? 'normal';
    if (!URGENCIES.has(urgency)) throw new Refusal(400, `unknown Urgency "${urgency}" (RFC 8030 §5.3)`);
    const topic = header(req, 'topic');
    // RFC 8030 §5.4 makes this check a MUST for the push service.
    if (topic !== undefined && (topic.length > 32 || !BASE64URL.test(topic))) {
      throw new Refusal(400, `Topic must be at most 32 base64url characters, got "${topic}"`);
    }

    const vapid = verifyVapid(header(req, 'authorization'), sub);

    if (body === null) throw new Refusal(413, `body larger than ${MAX_BODY_BYTES} bytes (RFC 8030 §7.2)`);
    let bytes: Buffer = Buffer.alloc(0);
    if (body.length > 0) {
      const encoding = header(req, 'content-encoding');
      // RFC 7231 §6.5.13: 415 is the answer for a content coding the server cannot process.
      if (encoding?.toLowerCase() !== 'aes128gcm') {
        throw new Refusal(415, `Content-Encoding must be aes128gcm (RFC 8291 §4), got "${encoding ?? ''}"`);
      }
      // A real service would accept this and leave the browser to drop what it cannot decrypt;
      // refusing it instead makes a broken encryption fail the sending test rather than time it out.
      try {
        bytes = decryptAes128gcm(body, sub);
      } catch (error) {
        throw new Refusal(400, `cannot decrypt payload: ${(error as Error).message}`);
      }
    }

    const payload = bytes.toString('utf8');
    return {
      endpoint,
      location: `${origin}/m/${randomBytes(12).toString('base64url')}`,
      payload,
      bytes,
      json: () => JSON.parse(payload),
      ttl: Number(ttlHeader),
      urgency: urgency as PushUrgency,
      topic,
      vapid,
      receivedAt: new Date(),
    };
  }

  /** RFC 8292 §4.2: 401 when the authentication is absent, 403 when it is invalid. */
  function verifyVapid(authorization: string | undefined, sub: Subscription): VerifiedVapid {
    if (authorization === undefined) throw new Refusal(401, 'Authorization header is missing (RFC 8292)');
    const scheme = /^vapid\s+/i.exec(authorization);
    if (!scheme)
      throw new Refusal(401, `Authorization scheme is not "vapid": ${authorization.split(' ')[0]}`);
    const params = new Map<string, string>();
    for (const match of authorization
      .slice(scheme[0].length)
      .matchAll(/([A-Za-z]+)\s*=\s*("[^"]*"|[^,\s]+)/g)) {
      params.set(match[1]!.toLowerCase(), match[2]!.replace(/^"(.*)"$/, '$1'));
    }
    const token = params.get('t');
    const k = params.get('k');
    if (token === undefined || k === undefined) throw new Refusal(403, 'vapid needs both t= and k=');

    let point: Buffer;
    let signer: KeyObject;
    try {
      point = decodePoint(k);
      signer = publicKeyFromPoint(point);
    } catch (error) {
      throw new Refusal(403, `k is not a P-256 public key: ${(error as Error).message}`);
    }
    if (sub.applicationServerKey && !equalBytes(point, sub.applicationServerKey)) {
      throw new Refusal(403, 'k does not match the key the subscription is restricted to (RFC 8292 §4.2)');
    }

    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
      throw new Refusal(403, 'the vapid token is not a compact JWS');
    }
    const [encodedHeader, encodedClaims, encodedSignature] = parts as [string, string, string];
    const jose = parseJsonObject(encodedHeader, 'JWT header');
    if (jose.alg !== 'ES256') throw new Refusal(403, `JWT alg must be ES256, got ${String(jose.alg)}`);
    // JOSE signatures are raw r||s (RFC 7518 §3.4), not the DER node:crypto uses by default.
    const signatureOk = verify(
      'sha256',
      Buffer.from(`${encodedHeader}.${encodedClaims}`),
      { key: signer, dsaEncoding: 'ieee-p1363' },
      Buffer.from(encodedSignature, 'base64url'),
    );
    if (!signatureOk) throw new Refusal(403, 'the JWT signature does not verify with k');

    const claims = parseJsonObject(encodedClaims, 'JWT claims');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(origin)) {
      throw new Refusal(403, `JWT aud ${JSON.stringify(claims.aud)} is not this service's origin ${origin}`);
    }
    const exp = claims.exp;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new Refusal(403, 'JWT exp is missing');
    const now = Date.now() / 1000;
    if (now > exp) throw new Refusal(403, `JWT expired at ${new Date(exp * 1000).toISOString()}`);
    if (exp - now > MAX_VAPID_LIFETIME_SECONDS) {
      throw new Refusal(403, 'JWT exp is more than 24 hours ahead (RFC 8292 §2)');
    }
    // RFC 8292 §2.1 makes sub a SHOULD; Apple's service refuses without it, and so does this fake,
    // so a sender that would fail there fails here first.
    const subject = claims.sub;
    if (typeof subject !== 'string' || !/^(mailto:|https:)/.test(subject)) {
      throw new Refusal(403, `JWT sub must be a mailto: or https: URI, got ${JSON.stringify(subject)}`);
    }
    return { publicKey: k, subject, audience: origin, expiresAt: new Date(exp * 1000) };
  }

  function answer(res: ServerResponse, status: number, message: string): void {
    const error = STATUS_CODES[status] ?? 'Unknown';
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ code: status, error, message }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `https://127.0.0.1:${port}`;
  const agent = new Agent({ ca: cert, keepAlive: true });
  let closing: Promise<void> | undefined;

  const byEndpoint = <T extends { endpoint: string }>(list: T[], endpoint?: string): T[] =>
    list.filter((item) => endpoint === undefined || item.endpoint === endpoint);

  return {
    url: origin,
    ca: cert,
    agent,
    subscribe(subscribeOptions = {}) {
      const ecdh = createECDH('prime256v1');
      const publicKey = ecdh.generateKeys();
      const auth = randomBytes(16);
      const endpoint = `${origin}/push/${randomBytes(16).toString('base64url')}`;
      const restriction = subscribeOptions.applicationServerKey;
      const applicationServerKey =
        restriction === undefined ? defaultKey : restriction === null ? null : decodePoint(restriction);
      subscriptions.set(endpoint, { endpoint, ecdh, publicKey, auth, applicationServerKey });
      return {
        endpoint,
        expirationTime: null,
        keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    received: (endpoint) => byEndpoint(received, endpoint),
    attempts: (endpoint) => byEndpoint(attempts, endpoint),
    rejections: (endpoint) => byEndpoint(attempts, endpoint).filter((attempt) => attempt.status >= 400),
    waitFor(predicate = () => true, timeoutMs = 5000) {
      const already = received.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise<ReceivedPush>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve: (push) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(push);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = received.map((push) => push.payload.slice(0, 80));
          const refused = attempts.filter((attempt) => attempt.status >= 400);
          reject(
            new Error(
              `no matching push within ${timeoutMs} ms; received ${JSON.stringify(seen)}, ` +
                `refused ${JSON.stringify(refused)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    respondWith(endpoint, status, respondOptions = {}) {
      if (!subscriptions.has(endpoint))
        throw new Error(`respondWith: ${endpoint} is not a subscription here`);
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new Error(`respondWith: ${status} is not an HTTP status`);
      }
      overrides.set(endpoint, {
        status,
        remaining: respondOptions.times ?? Number.POSITIVE_INFINITY,
        retryAfter: respondOptions.retryAfter,
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * RFC 8188 §2 and RFC 8291 §3.4 from the user agent's side, for the single record RFC 8291 §4
 * requires. Throws an Error saying what is wrong with anything else.
 */
function decryptAes128gcm(body: Buffer, sub: Subscription): Buffer {
  // header: salt (16) | rs (uint32) | idlen (1) | keyid (idlen)
  if (body.length < 21) throw new Error(`body of ${body.length} bytes is shorter than the 21-byte header`);
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  if (rs < 18) throw new Error(`record size ${rs} is below the minimum of 18 (RFC 8188 §2)`);
  // RFC 8291 §4: keyid is the application server's ephemeral key, uncompressed.
  if (idlen !== 65)
    throw new Error(`keyid is ${idlen} bytes, not the 65-byte public key RFC 8291 §4 requires`);
  if (body.length < 21 + idlen) throw new Error('body ends inside the keyid');
  const senderKey = body.subarray(21, 21 + idlen);
  if (senderKey[0] !== 0x04) throw new Error('keyid is not an uncompressed P-256 point');
  const record = body.subarray(21 + idlen);
  if (record.length > rs) {
    throw new Error(
      `${record.length} bytes of records exceed rs=${rs}: more than the one record RFC 8291 §4 allows`,
    );
  }
  // 16 bytes of tag and at least the padding delimiter.
  if (record.length < 17)
    throw new Error(`record of ${record.length} bytes is too short for a tag and delimiter`);

  let secret: Buffer;
  try {
    secret = sub.ecdh.computeSecret(senderKey);
  } catch {
    throw new Error('keyid is not a point on P-256');
  }
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), sub.publicKey, senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', secret, sub.auth, info, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  // The first record's nonce is NONCE XOR 0, the nonce itself.
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));

  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  let padded: Buffer;
  try {
    padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  } catch {
    throw new Error('AES-128-GCM authentication failed (wrong keys or altered ciphertext)');
  }
  // Padding is the delimiter then zeros; the last (here, only) record's delimiter is 0x02.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (end < 0) throw new Error('record has no padding delimiter');
  if (padded[end] !== 0x02) {
    throw new Error(
      `padding delimiter is 0x${padded[end]!.toString(16).padStart(2, '0')}, not 0x02 of a last record`,
    );
  }
  return padded.subarray(0, end);
}

/** The base64url of an uncompressed P-256 point, decoded and checked for shape. */
function decodePoint(encoded: string): Buffer {
  if (!BASE64URL.test(encoded.replace(/=+$/, ''))) throw new Error('not base64url');
  const point = Buffer.from(encoded, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) throw new Error('not a 65-byte uncompressed point');
  return point;
}

/** node:crypto imports a raw EC point only through JWK. Throws for a point off the curve. */
function publicKeyFromPoint(point: Buffer): KeyObject {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
}

function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseJsonObject(encoded: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new Refusal(403, `${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Refusal(403, `${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The body, or `null` once it passes MAX_BODY_BYTES (the rest is drained, not kept). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A self-signed P-256 certificate for 127.0.0.1 and localhost, valid for a day. node:crypto can
 * sign but not build certificates, so the X.509 DER is assembled here; it is small because it
 * holds only what TLS verification in Node needs.
 */
function selfSignedCertificate(): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), der(0x0c, Buffer.from('parley push-service fake')))));
  const serial = randomBytes(16);
  // Positive and without a leading zero byte, as DER requires of an INTEGER.
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    seq(utcTime(new Date(now - 60 * 60 * 1000)), utcTime(new Date(now + 24 * 60 * 60 * 1000))),
    name,
    publicKey.export({ format: 'der', type: 'spki' }),
    der(
      0xa3,
      seq(
        // basicConstraints CA:TRUE, so the certificate can be its own trust anchor in `ca`.
        seq(oid('2.5.29.19'), der(0x01, Buffer.from([0xff])), der(0x04, seq(der(0x01, Buffer.from([0xff]))))),
        // subjectAltName: IP 127.0.0.1 and DNS localhost; Node checks the host against these alone.
        seq(
          oid('2.5.29.17'),
          der(0x04, seq(der(0x87, Buffer.from([127, 0, 0, 1])), der(0x82, Buffer.from('localhost')))),
        ),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = seq(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

function der(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  const length: number[] = [];
  for (let n = content.length; n > 0; n = Math.floor(n / 256)) length.unshift(n % 256);
  const head = content.length < 0x80 ? [tag, content.length] : [tag, 0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from(head), content]);
}

const seq = (...parts: Buffer[]): Buffer => der(0x30, ...parts);
const set = (...parts: Buffer[]): Buffer => der(0x31, ...parts);

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const group = [arc & 0x7f];
    for (let n = arc >>> 7; n > 0; n >>>= 7) group.unshift((n & 0x7f) | 0x80);
    bytes.push(...group);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  // YYMMDDHHMMSSZ, what X.509 uses for dates before 2050.
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text));
}
