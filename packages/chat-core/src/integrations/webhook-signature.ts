/**
 * Webhook signatures as the contract names them: `Parley-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>">`. Exported so receivers written in Node can verify with the same
 * code (`verifyWebhookSignature`), and documented in docs/INTEGRATIONS.md for everyone else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature. */
export const WEBHOOK_SIGNATURE_HEADER = 'Parley-Signature';

/** The `Parley-Signature` value for `body` signed at `timestampSeconds`. */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookOptions {
  /** Oldest (and most future) timestamp accepted, in seconds from now. @default 300 */
  toleranceSeconds?: number;
  /** @default Date.now() */
  nowMs?: number;
}

/**
 * Whether `header` is a valid signature of `body` (the raw request body, byte for byte) made with
 * `secret` within the tolerance: a stale or future timestamp fails, so a captured request cannot be
 * replayed later. Any `v1` entry may match (several appear while a secret is being rotated).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined | null,
  body: string,
  options: VerifyWebhookOptions = {},
): boolean {
  if (typeof header !== 'string' || header.length > 1024) return false;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) return false;
  const expected = Buffer.from(
    createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex'),
    'utf8',
  );
  return signatures.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'utf8'), expected));
}
