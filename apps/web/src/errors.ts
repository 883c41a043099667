/** The contract's error codes in plain words, for people rather than programs. */
import { isParleyError } from '@parley/client';

const WORDS: Record<string, string> = {
  VALIDATION_FAILED: 'Some of what you typed is not valid. Check the fields and try again.',
  UNAUTHORIZED: 'You are signed out. Please sign in again.',
  TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  EMAIL_NOT_VERIFIED: 'Please verify your email address first: enter the code we sent you.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FRIENDS: 'You can only message people who are your friends.',
  BLOCKED: 'This cannot be done: one of you has blocked the other.',
  NOT_GROUP_MEMBER: 'You are not a member of this group.',
  MUTED: 'You are muted in this group for now.',
  RECALL_WINDOW_EXPIRED: 'It is too late to recall this message.',
  NOT_FOUND: 'That could not be found. It may have been removed.',
  EMAIL_TAKEN: 'An account with this email already exists. Try signing in.',
  ALREADY_FRIENDS: 'You are already friends.',
  ALREADY_MEMBER: 'You are already a member of this group.',
  GROUP_FULL: 'This group is full.',
  INVITE_EXPIRED: 'This invitation has expired or was replaced by a new one.',
  PAYLOAD_TOO_LARGE: 'That is too long to send.',
  RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
  INTERNAL: 'Something went wrong on the server. Please try again.',
  NETWORK: 'Cannot reach the server. Check your connection.',
  TIMEOUT: 'The server took too long to answer. Please try again.',
  CLOSED: 'The connection was closed.',
  UNSUPPORTED: 'This browser or this server cannot do that.',
  PERMISSION_DENIED: 'Notifications are blocked for this site. Allow them in your browser’s site settings.',
};

/** The error's code, when it has one. */
export function errorCode(error: unknown): string {
  if (isParleyError(error)) return error.code;
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string')
    return (error as { code: string }).code;
  return 'INTERNAL';
}

/** A sentence a person understands, for an error thrown by the SDK (or an outbox failure). */
export function plainWords(error: unknown): string {
  const code = errorCode(error);
  if (code === 'RATE_LIMITED' && isParleyError(error) && error.retryAfterMs)
    return `Too many attempts. Please try again in ${Math.ceil(error.retryAfterMs / 1000)} seconds.`;
  return WORDS[code] ?? WORDS.INTERNAL!;
}
