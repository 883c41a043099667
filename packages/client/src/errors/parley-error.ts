/**
 * `ParleyError`: every failure the SDK reports, from a REST answer, a socket ack or the network.
 */
import type { ErrorCode } from '@parley/chat-core';

/**
 * Codes the client adds to the contract's: `NETWORK` (the request never got an answer: refused,
 * cut, offline), `TIMEOUT` (no answer in time), `CLOSED` (the client was closed first), and for
 * Web Push `UNSUPPORTED` (the server sends no pushes, or the browser cannot take them) and
 * `PERMISSION_DENIED` (the user blocked notifications for the site).
 */
export type ClientErrorCode = 'NETWORK' | 'TIMEOUT' | 'CLOSED' | 'UNSUPPORTED' | 'PERMISSION_DENIED';

/** A contract code (`NOT_FRIENDS`, `RATE_LIMITED` …) or one of the client's own. */
export type ParleyErrorCode = ErrorCode | ClientErrorCode;

/** What a {@link ParleyError} is made from. */
export interface ParleyErrorInit {
  code: ParleyErrorCode;
  message?: string;
  /** The HTTP status; 0 when there was no HTTP answer (socket acks, network errors). @default 0 */
  status?: number;
  /** The contract's machine-readable `details` (fields, `mutedUntil`, `retryAfterMs` …). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * An error with the contract's `code`, the HTTP `status` (0 over the socket or without an
 * answer) and its `details`. Switch on `code`; `message` is for humans.
 */
export class ParleyError extends Error {
  override readonly name = 'ParleyError';
  readonly code: ParleyErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(init: ParleyErrorInit) {
    super(init.message ?? init.code, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status ?? 0;
    this.details = init.details;
  }

  /** For `RATE_LIMITED`: how long to wait before trying again, in ms; otherwise undefined. */
  get retryAfterMs(): number | undefined {
    const value = this.details?.retryAfterMs;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  /**
   * Whether the same request may succeed later unchanged: network errors, timeouts, rate limits
   * and an unavailable store. A refusal (NOT_FRIENDS, VALIDATION_FAILED …) is final.
   */
  get transient(): boolean {
    return (
      this.code === 'NETWORK' ||
      this.code === 'TIMEOUT' ||
      this.code === 'RATE_LIMITED' ||
      this.code === 'STORE_UNAVAILABLE'
    );
  }
}

/** True when `value` is a {@link ParleyError} (also across duplicated module copies). */
export function isParleyError(value: unknown): value is ParleyError {
  return (
    value instanceof ParleyError ||
    (value instanceof Error &&
      value.name === 'ParleyError' &&
      typeof (value as ParleyError).code === 'string')
  );
}

/** The contract's error body, `{ code, message, details? }`, as a {@link ParleyError}. */
export function errorFromBody(body: unknown, status = 0): ParleyError {
  const error = (body as { code?: unknown; message?: unknown; details?: unknown } | null) ?? {};
  const code = typeof error.code === 'string' ? (error.code as ParleyErrorCode) : 'INTERNAL';
  const details =
    error.details !== null && typeof error.details === 'object'
      ? (error.details as Record<string, unknown>)
      : undefined;
  return new ParleyError({
    code,
    status,
    message: typeof error.message === 'string' ? error.message : code,
    ...(details && { details }),
  });
}
