/**
 * The one error type of Parley. Every refusal the engine makes is a `ChatError` carrying a stable
 * `code` from the API contract; transports turn it into a REST error body or a socket ack.
 */

/** HTTP status of every contract error code: the single place where codes map to statuses. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  TOKEN_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  EMAIL_NOT_VERIFIED: 403,
  FORBIDDEN: 403,
  NOT_FRIENDS: 403,
  BLOCKED: 403,
  NOT_GROUP_MEMBER: 403,
  MUTED: 403,
  RECALL_WINDOW_EXPIRED: 403,
  NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  ALREADY_FRIENDS: 409,
  ALREADY_MEMBER: 409,
  GROUP_FULL: 409,
  INVITE_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  STORE_UNAVAILABLE: 503,
} as const;

/** A stable error code of the API contract. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** Default messages, used when a throw site has nothing more specific to say. */
const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request is not valid',
  UNAUTHORIZED: 'Authentication required',
  TOKEN_EXPIRED: 'The token has expired',
  INVALID_CREDENTIALS: 'Wrong email or password',
  EMAIL_NOT_VERIFIED: 'The email address is not verified yet',
  FORBIDDEN: 'You are not allowed to do this',
  NOT_FRIENDS: 'You can only message your friends',
  BLOCKED: 'This user is not available to you',
  NOT_GROUP_MEMBER: 'You are not a member of this group',
  MUTED: 'You are muted in this group',
  RECALL_WINDOW_EXPIRED: 'The message is too old to recall',
  NOT_FOUND: 'Not found',
  EMAIL_TAKEN: 'This email is already registered',
  ALREADY_FRIENDS: 'You are already friends',
  ALREADY_MEMBER: 'Already a member of this group',
  GROUP_FULL: 'The group is full',
  INVITE_EXPIRED: 'This invite has expired',
  PAYLOAD_TOO_LARGE: 'The payload is too large',
  RATE_LIMITED: 'Too many attempts, try again later',
  INTERNAL: 'Something went wrong',
  STORE_UNAVAILABLE: 'The store is unavailable, try again later',
};

/** JSON shape of an error as it crosses the wire (REST body `error`, socket ack `error`). */
export interface ChatErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** Options of a {@link ChatError}. */
export interface ChatErrorOptions {
  /** Machine-readable context, sent to the client (e.g. the failing fields, `mutedUntil`). */
  details?: Record<string, unknown>;
  /** The underlying error; logged, never sent to a client. */
  cause?: unknown;
}

/** An error with a contract code. Anything else thrown inside Parley is wrapped as `INTERNAL`. */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: ChatErrorOptions = {}) {
    super(
      message ?? DEFAULT_MESSAGES[code],
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.details = options.details;
  }

  /** The HTTP status derived from the code. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The wire body: code, message and details, never the cause. */
  toJSON(): ChatErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `value` is a {@link ChatError} (also across duplicated module copies). */
export function isChatError(value: unknown): value is ChatError {
  return (
    value instanceof ChatError ||
    (value instanceof Error && value.name === 'ChatError' && typeof (value as ChatError).code === 'string')
  );
}

/**
 * Turns anything thrown into a {@link ChatError}: a ChatError passes through, anything else
 * becomes `INTERNAL` with the original as `cause` and a message that carries no internals.
 */
export function toChatError(error: unknown): ChatError {
  if (isChatError(error)) return error;
  return new ChatError('INTERNAL', undefined, { cause: error });
}

/**
 * The refusal of a list cursor this list did not issue (malformed, tampered, or of another list).
 * Stores throw it from their paged reads, so a client learns its cursor is bad instead of being
 * served an empty page that reads like the end of the list.
 */
export function invalidCursorError(): ChatError {
  return new ChatError('VALIDATION_FAILED', 'Invalid input: cursor: not a cursor of this list', {
    details: { fields: { cursor: 'not a cursor of this list' } },
  });
}

/**
 * RATE_LIMITED with when to try again, in the two forms clients use: `retryAfterMs` (the
 * contract's) and whole seconds for an HTTP `Retry-After` header.
 */
export function rateLimitedError(retryAfterMs: number, message?: string): ChatError {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  return new ChatError('RATE_LIMITED', message, {
    details: { retryAfterMs: ms, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) },
  });
}
