/**
 * Input schemas of the messaging operations, one per operation. Content size depends on the
 * engine's config, so it is checked after the schema by {@link checkContent}, which answers
 * PAYLOAD_TOO_LARGE rather than VALIDATION_FAILED for content over its limit.
 */
import { z } from 'zod';
import type { ContentType } from '../domain/records.js';
import { ChatError } from '../errors.js';
import { limitSchema, pageInputSchema } from '../util/pagination.js';
import { hasLoneSurrogate, nfc } from '../util/text.js';
import { idSchema, parseInput, validId } from '../util/validate.js';

/** Content types a client may send; `system` is written by the core only. */
export const CLIENT_CONTENT_TYPES = [
  'text',
  'image',
  'file',
  'audio',
  'video',
  'location',
  'custom',
] as const;

/** Kinds whose content is a URL. */
const MEDIA_TYPES: ReadonlySet<ContentType> = new Set(['image', 'file', 'audio', 'video']);

/** Longest media URL, in characters. */
export const MAX_URL_LENGTH = 2048;

/** Most users one message may mention. */
export const MAX_MENTIONS = 100;

const contentTypeSchema = z
  .enum(CLIENT_CONTENT_TYPES, { error: `must be one of ${CLIENT_CONTENT_TYPES.join(', ')}` })
  .nullish()
  .transform((value) => value ?? 'text');

const clientMsgIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .nullish()
  .transform((value) => value ?? undefined);

const replyToSchema = idSchema.nullish().transform((value) => value ?? undefined);

/** Content is stored NFC-normalized; a lone surrogate (invalid Unicode) is refused. */
const contentSchema = z
  .string({ error: 'required, a string' })
  .refine((value) => !hasLoneSurrogate(value), { message: 'must be valid Unicode text' })
  .transform(nfc);

export const sendPrivateSchema = z.object({
  receiverId: idSchema,
  content: contentSchema,
  contentType: contentTypeSchema,
  clientMsgId: clientMsgIdSchema,
  replyTo: replyToSchema,
});

/** A private send's input as {@link sendPrivateSchema} answers it. */
export type SendPrivateData = z.output<typeof sendPrivateSchema>;

const CLIENT_CONTENT_TYPE_SET: ReadonlySet<unknown> = new Set(CLIENT_CONTENT_TYPES);

/**
 * `parseInput(sendPrivateSchema, input)`, with the common case (every field present is valid)
 * checked by hand: zod's pass was about 5% of a send's CPU and a seventh of what it allocates.
 * Anything else goes to the schema, which answers the same VALIDATION_FAILED as always. The same
 * output, to the key (a test holds the two to each other).
 */
export function parseSendPrivate(input: unknown): SendPrivateData {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { receiverId, content, contentType, clientMsgId, replyTo } = input as Record<string, unknown>;
    const receiver = validId(receiverId);
    const reply = replyTo === undefined || replyTo === null ? undefined : validId(replyTo);
    if (
      receiver !== undefined &&
      typeof content === 'string' &&
      !hasLoneSurrogate(content) &&
      (contentType === undefined || contentType === null || CLIENT_CONTENT_TYPE_SET.has(contentType)) &&
      (clientMsgId === undefined ||
        clientMsgId === null ||
        (typeof clientMsgId === 'string' && clientMsgId.length >= 1 && clientMsgId.length <= 64)) &&
      (replyTo === undefined || replyTo === null || reply !== undefined)
    ) {
      const data: Omit<SendPrivateData, 'clientMsgId' | 'replyTo'> &
        Partial<Pick<SendPrivateData, 'clientMsgId' | 'replyTo'>> = {
        receiverId: receiver,
        content: nfc(content),
        contentType: (contentType ?? 'text') as SendPrivateData['contentType'],
      };
      // As zod does: an optional key is in the output when it was in the input.
      if ('clientMsgId' in input) data.clientMsgId = (clientMsgId ?? undefined) as string | undefined;
      if ('replyTo' in input) data.replyTo = reply;
      return data as SendPrivateData;
    }
  }
  return parseInput(sendPrivateSchema, input);
}

export const sendGroupSchema = z.object({
  groupId: idSchema,
  content: contentSchema,
  contentType: contentTypeSchema,
  mentions: z
    .array(idSchema)
    .max(MAX_MENTIONS, `at most ${MAX_MENTIONS} mentions`)
    .nullish()
    .transform((value) => [...new Set(value ?? [])]),
  mentionAll: z
    .boolean()
    .nullish()
    .transform((value) => value ?? false),
  clientMsgId: clientMsgIdSchema,
  replyTo: replyToSchema,
});

/**
 * A seq is a JSON integer: `"1"` or `true` is refused. Hosts turn query-string digits into
 * numbers before calling the engine (only they know a value came from a query string).
 */
const seqSchema = (min: number) =>
  z.number({ error: 'must be an integer' }).int('must be an integer').min(min).max(Number.MAX_SAFE_INTEGER);

export const historySchema = z
  .object({
    beforeSeq: seqSchema(1).optional(),
    afterSeq: seqSchema(0).optional(),
    limit: limitSchema,
  })
  .superRefine((value, context) => {
    if (value.beforeSeq !== undefined && value.afterSeq !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['beforeSeq'],
        message: 'give beforeSeq or afterSeq, not both',
      });
    }
  });

export const syncSchema = z.object({
  conversationId: idSchema,
  afterSeq: seqSchema(0),
  /** The `version` of the client's last sync: changed older messages come back too. */
  afterVersion: seqSchema(0).optional(),
  limit: limitSchema,
});

/** Most messages pinned in one conversation. */
export const MAX_PINS = 50;

/** Most distinct emojis on one message. */
export const MAX_REACTION_EMOJIS = 50;

/** Longest emoji, in UTF-8 bytes (a family or a flag with modifiers fits). */
export const MAX_EMOJI_BYTES = 16;

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

/** One emoji: a single grapheme of at most 16 bytes that draws as an emoji. */
export const emojiSchema = z
  .string({ error: 'required, an emoji' })
  .transform((value) => value.normalize('NFC'))
  .refine(
    (value) => {
      if (value.length === 0 || Buffer.byteLength(value, 'utf8') > MAX_EMOJI_BYTES) return false;
      let count = 0;
      for (const _ of graphemes.segment(value)) if (++count > 1) return false;
      return PICTOGRAPHIC.test(value);
    },
    { message: `must be one emoji (one character, at most ${MAX_EMOJI_BYTES} bytes)` },
  );

export const editSchema = z.object({ messageId: idSchema, content: contentSchema });

export const reactSchema = z.object({
  messageId: idSchema,
  emoji: emojiSchema,
  /** true adds the caller's reaction, false removes it. @default true */
  add: z.boolean({ error: 'must be true or false' }).default(true),
});

export const pinSchema = z.object({ conversationId: idSchema, messageId: idSchema });

export const conversationIdSchema = z.object({ conversationId: idSchema });

export const threadSchema = pageInputSchema;

export const searchMessagesSchema = z.object({
  q: z.string({ error: 'required' }).trim().min(1, 'required').max(200, 'at most 200 characters'),
  conversationId: idSchema.optional(),
  cursor: z.string().min(1).max(512).optional(),
  limit: limitSchema,
});

export const markReadSchema = z.object({
  conversationId: idSchema,
  seq: seqSchema(1),
});

export const messageIdSchema = z.object({ messageId: idSchema });

/** `parseInput(messageIdSchema, { messageId }).messageId`, a valid id checked by hand. */
export function parseMessageId(messageId: unknown): string {
  return validId(messageId) ?? parseInput(messageIdSchema, { messageId }).messageId;
}

export const peerSchema = z.object({ peerId: idSchema });

export const groupIdSchema = z.object({ groupId: idSchema });

export const updateStatusSchema = z.object({
  messageId: idSchema,
  status: z.enum(['delivered', 'read'], { error: 'must be delivered or read' }),
});

export const readersSchema = pageInputSchema;

/** Length in characters as a user counts them (code points, so an emoji is one). */
function charLength(value: string, max: number): number {
  // A string of more than 2·max UTF-16 units has more than max code points: no need to count.
  if (value.length > max * 2) return value.length;
  if (value.length <= max) return value.length;
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

function invalidContent(message: string): ChatError {
  return new ChatError('VALIDATION_FAILED', `Invalid input: content: ${message}`, {
    details: { fields: { content: message } },
  });
}

function tooLarge(max: number, unit: string): ChatError {
  return new ChatError('PAYLOAD_TOO_LARGE', `The message content is over ${max} ${unit}`, {
    details: { field: 'content', max },
  });
}

/**
 * Checks content against its type: text, location and custom content is 1 to `maxTextLength`
 * characters and not only whitespace; media content is an http(s) URL of at most 2048 characters.
 * Throws VALIDATION_FAILED for malformed content and PAYLOAD_TOO_LARGE for content over its limit.
 */
export function checkContent(contentType: ContentType, content: string, maxTextLength: number): void {
  if (MEDIA_TYPES.has(contentType)) {
    if (content.length > MAX_URL_LENGTH) throw tooLarge(MAX_URL_LENGTH, 'characters');
    let url: URL | null = null;
    try {
      url = new URL(content);
    } catch {
      url = null;
    }
    if (!url || content.trim() !== content || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw invalidContent(`must be an http or https URL for ${contentType} messages`);
    }
    return;
  }
  if (content.trim().length === 0) throw invalidContent('must not be empty');
  if (charLength(content, maxTextLength) > maxTextLength) throw tooLarge(maxTextLength, 'characters');
}
