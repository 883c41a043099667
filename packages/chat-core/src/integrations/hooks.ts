/**
 * In-process hooks for embedders: `createChatEngine({ hooks })`. A before-send hook sees every
 * message (and every edit) after the engine has accepted it and before anything is stored: it may
 * let it pass, rewrite its content (a word filter) or refuse it with a contract code. An
 * after-commit hook hears every event the engine committed, with the same envelope and id a
 * webhook receiver gets.
 */
import type { EngineContext } from '../context.js';
import type { ContentType, ConversationType } from '../domain/records.js';
import { ChatError, ERROR_STATUS, type ErrorCode } from '../errors.js';
import type { ChatEventMap, ChatEventName } from '../events.js';
import { checkContent } from '../messaging/schemas.js';

/** What a before-send hook is shown: the message as it would be stored. */
export interface BeforeSendInput {
  /** `send` for a new message, `edit` for new content of an existing one. */
  action: 'send' | 'edit';
  senderId: string;
  conversationType: ConversationType;
  conversationId: string;
  /** The receiver of a private message. */
  receiverId?: string;
  /** The group of a group message. */
  groupId?: string;
  /** The message being edited (action `edit`). */
  messageId?: string;
  content: string;
  contentType: ContentType;
}

/**
 * A before-send hook's answer: nothing (or `{ allow: true }`) lets the message pass as it is;
 * `{ content }` stores that content instead (checked against the same limits); `{ refuse }`
 * refuses it with a contract error code (e.g. `FORBIDDEN`, `VALIDATION_FAILED`), and nothing is
 * stored or sent.
 */
export type BeforeSendResult =
  | undefined
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing lets the message pass.
  | void
  | { allow: true }
  | { content: string }
  | { refuse: ErrorCode; message?: string; details?: Record<string, unknown> };

/** One committed event, as after-commit hooks and webhook receivers get it. */
export type CommittedEvent = {
  [K in ChatEventName]: {
    /** Unique per event: the same id reaches the after-commit hook and every webhook URL. */
    id: string;
    type: K;
    /** ISO-8601 UTC time the engine committed it. */
    createdAt: string;
    data: ChatEventMap[K];
  };
}[ChatEventName];

/** The hooks an embedder may give `createChatEngine`. */
export interface ChatHooks {
  /**
   * Runs before a message is stored (and before an edit is): allow, rewrite or refuse. A hook that
   * throws fails the send with INTERNAL (and is logged); slow hooks slow every send, so keep it
   * quick or cache what it needs.
   */
  beforeSend?: (input: BeforeSendInput) => BeforeSendResult | Promise<BeforeSendResult>;
  /**
   * Runs after each event the engine committed (messages, receipts, edits, group and friend
   * changes, presence, typing). It is called without waiting; a hook that throws or rejects is
   * logged and never affects the operation.
   */
  afterCommit?: (event: CommittedEvent) => void | Promise<void>;
}

/**
 * Applies the before-send hook: answers the content to store, or throws the refusal. The rewritten
 * content passes the same content checks as what a client sends.
 */
export async function applyBeforeSend(ctx: EngineContext, input: BeforeSendInput): Promise<string> {
  const hook = ctx.hooks.beforeSend;
  if (hook === undefined) return input.content;
  let result: BeforeSendResult;
  try {
    result = await hook(Object.freeze({ ...input }));
  } catch (error) {
    ctx.logger.error({ err: error, senderId: input.senderId }, 'beforeSend hook failed');
    throw new ChatError('INTERNAL', 'The message could not be checked');
  }
  if (result === undefined || result === null || ('allow' in result && result.allow === true)) {
    return input.content;
  }
  if ('refuse' in result) {
    const code = result.refuse;
    if (!(code in ERROR_STATUS)) {
      ctx.logger.error({ code }, 'beforeSend hook refused with an unknown error code');
      throw new ChatError('INTERNAL', 'The message could not be checked');
    }
    throw new ChatError(code, result.message ?? 'The message was refused', {
      ...(result.details ? { details: result.details } : {}),
    });
  }
  if ('content' in result && typeof result.content === 'string') {
    checkContent(input.contentType, result.content, ctx.config.maxTextLength);
    return result.content;
  }
  ctx.logger.error({ result }, 'beforeSend hook answered something that is not a BeforeSendResult');
  throw new ChatError('INTERNAL', 'The message could not be checked');
}
