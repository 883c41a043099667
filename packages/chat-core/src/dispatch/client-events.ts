/**
 * The client→server events of the contract, transport-neutral: their names, what each takes and
 * answers, and the engine schema that validates each payload. A transport (Socket.IO today)
 * routes frames to the {@link Dispatcher}; it never has schemas of its own.
 */

import { z } from 'zod';
import type { MessageView, SyncPage } from '../domain/views.js';
import type { ChatErrorBody } from '../errors.js';
import { groupIdSchema } from '../groups/schemas.js';
import type { SendGroupInput, SendPrivateInput } from '../messaging/message-service.js';
import {
  editSchema,
  messageIdSchema,
  reactSchema,
  sendGroupSchema,
  sendPrivateSchema,
  syncSchema,
  updateStatusSchema,
} from '../messaging/schemas.js';
import { type TypingInput, typingSchema } from '../presence/presence-service.js';

/** Payload of `message_status_update`. */
export interface StatusUpdateInput {
  messageId: string;
  status: 'delivered' | 'read';
}

/** Payload of `sync`. */
export interface SyncInput {
  conversationId: string;
  afterSeq: number;
  /** The `version` of the last sync: older messages changed since come back in `changed`. */
  afterVersion?: number;
  limit?: number;
}

/** Payload of `edit_message`. */
export interface EditMessageInput {
  messageId: string;
  content: string;
}

/** Payload of `react_message`. */
export interface ReactMessageInput {
  messageId: string;
  emoji: string;
  /** true adds the caller's reaction, false removes it. @default true */
  add?: boolean;
}

/** Every client→server event: the payload it takes and the data its ack answers with. */
export interface ClientEventMap {
  private_message: { payload: SendPrivateInput; data: { message: MessageView } };
  group_message: { payload: SendGroupInput; data: { message: MessageView } };
  message_status_update: { payload: StatusUpdateInput; data: Record<string, never> };
  typing_status: { payload: TypingInput; data: Record<string, never> };
  join_group_room: { payload: { groupId: string }; data: { groupId: string } };
  recall_message: { payload: { messageId: string }; data: { message: MessageView } };
  sync: { payload: SyncInput; data: SyncPage };
  edit_message: { payload: EditMessageInput; data: { message: MessageView } };
  react_message: { payload: ReactMessageInput; data: { message: MessageView } };
}

/** Name of a client→server event. */
export type ClientEventName = keyof ClientEventMap;

/** Every client→server event name, in the contract's order. */
export const CLIENT_EVENT_NAMES: readonly ClientEventName[] = [
  'private_message',
  'group_message',
  'message_status_update',
  'typing_status',
  'join_group_room',
  'recall_message',
  'sync',
  'edit_message',
  'react_message',
];

/** Whether a wire event name is one of the contract's client events. */
export function isClientEventName(name: unknown): name is ClientEventName {
  return typeof name === 'string' && (CLIENT_EVENT_NAMES as readonly string[]).includes(name);
}

/** The answer to every client event that carries an ack: the contract's envelope. */
export type AckResponse<T> = { ok: true; data: T } | { ok: false; error: ChatErrorBody };

/**
 * The engine schema of each event's payload, for documentation and generated specs. The engine
 * applies each one itself, once, inside the operation the event calls.
 */
export const clientEventSchemas = {
  private_message: sendPrivateSchema,
  group_message: sendGroupSchema,
  message_status_update: updateStatusSchema,
  typing_status: typingSchema,
  join_group_room: z.object({ groupId: groupIdSchema }),
  recall_message: messageIdSchema,
  sync: syncSchema,
  edit_message: editSchema,
  react_message: reactSchema,
} as const satisfies Record<ClientEventName, z.ZodType>;
