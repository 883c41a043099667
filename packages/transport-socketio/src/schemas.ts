/**
 * Payload shapes of the client→server events, checked at the transport edge so a malformed frame
 * never reaches the engine. Shape only: the engine validates the rules (lengths, policies) again.
 */
import { ChatError, type TypingInput } from '@parley/chat-core';
import { z } from 'zod';
import type { ClientEventName } from './types.js';

const id = z.string().min(1, 'required').max(128, 'too long');
const clientMsgId = z.string().min(1).max(128);
const contentType = z.enum(['text', 'image', 'file', 'audio', 'video', 'location', 'custom', 'system']);

const privateMessage = z.object({
  receiverId: id,
  content: z.string(),
  contentType: contentType.optional(),
  clientMsgId: clientMsgId.optional(),
  replyTo: id.optional(),
});

const groupMessage = z.object({
  groupId: id,
  content: z.string(),
  contentType: contentType.optional(),
  mentions: z.array(id).max(1000).optional(),
  mentionAll: z.boolean().optional(),
  clientMsgId: clientMsgId.optional(),
  replyTo: id.optional(),
});

const statusUpdate = z.object({
  messageId: id,
  status: z.enum(['delivered', 'read']),
});

// Either a user or a group, never both; parsed to the engine's TypingInput union.
const typing = z
  .object({ to: id.optional(), groupId: id.optional(), isTyping: z.boolean() })
  .superRefine((value, ctx) => {
    if ((value.to === undefined) === (value.groupId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'give exactly one of to and groupId' });
    }
  })
  .transform(
    ({ to, groupId, isTyping }): TypingInput =>
      to !== undefined ? { to, isTyping } : { groupId: groupId ?? '', isTyping },
  );

const joinGroupRoom = z.object({ groupId: id });

const recall = z.object({ messageId: id });

const sync = z.object({
  conversationId: id,
  afterSeq: z.number().int().min(0),
  limit: z.number().int().min(1).max(100).optional(),
});

/** One schema per client→server event. */
export const clientEventSchemas = {
  private_message: privateMessage,
  group_message: groupMessage,
  message_status_update: statusUpdate,
  typing_status: typing,
  join_group_room: joinGroupRoom,
  recall_message: recall,
  sync,
} as const satisfies Record<ClientEventName, z.ZodType>;

/** The parsed payload of a client event. */
export type ClientPayload<K extends ClientEventName> = z.output<(typeof clientEventSchemas)[K]>;

/**
 * Parses a payload or throws the contract's VALIDATION_FAILED, whose `details.fields` names each
 * bad field (`(payload)` when the payload itself is not an object).
 */
export function parsePayload<K extends ClientEventName>(event: K, payload: unknown): ClientPayload<K> {
  const result = clientEventSchemas[event].safeParse(payload);
  if (result.success) return result.data as ClientPayload<K>;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(payload)';
    fields[key] ??= issue.message;
  }
  const summary = Object.entries(fields)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; ');
  throw new ChatError('VALIDATION_FAILED', `Invalid ${event} payload: ${summary}`, { details: { fields } });
}
