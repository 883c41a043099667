/**
 * The AsyncAPI 3 document of the Socket.IO events, from the engine's schemas: each client event's
 * payload schema (the one the engine validates it with) and ack data, each server event's payload.
 */
import {
  CHAT_EVENT_NAMES,
  CLIENT_EVENT_NAMES,
  chatErrorEventSchema,
  clientEventAckSchemas,
  clientEventSchemas,
  serverEventSchemas,
  viewSchemas,
} from '@parley/chat-core';
import type { z } from 'zod';
import { componentSchemas } from './openapi.js';

type Json = Record<string, unknown>;

const REF = '#/components/schemas/';

const pascal = (name: string) =>
  name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** What one event is for, shown in the reference. */
const CLIENT_SUMMARIES: Record<(typeof CLIENT_EVENT_NAMES)[number], string> = {
  private_message: 'Send a private message',
  group_message: 'Send a group message',
  message_status_update: 'Mark a message delivered or read',
  typing_status: 'Typing to a user (`to`) or a group (`groupId`)',
  join_group_room: "Join a group's room (idempotent; members only)",
  recall_message: 'Recall a message',
  sync: 'Messages after a seq, and with afterVersion the older ones changed since, to fill gaps and resume',
  edit_message: 'Edit a text message you sent',
  react_message: 'Add (add: true) or remove (add: false) your reaction with one emoji',
};

export interface AsyncApiOptions {
  version: string;
  /** `ws://host:port` or similar, when known. */
  serverUrl?: string | undefined;
}

/** Builds the AsyncAPI 3.0 document of the contract's socket events. */
export function buildAsyncApi(options: AsyncApiOptions): Json {
  const inputs: Record<string, z.ZodType> = {};
  const outputs: Record<string, z.ZodType> = { ...viewSchemas };
  const messages: Record<string, Json> = {};
  const operations: Record<string, Json> = {};

  const ackEnvelope = (dataId: string): Json => ({
    oneOf: [
      {
        type: 'object',
        properties: { ok: { const: true }, data: { $ref: `${REF}${dataId}` } },
        required: ['ok', 'data'],
      },
      {
        type: 'object',
        properties: { ok: { const: false }, error: { $ref: `${REF}ChatErrorBody` } },
        required: ['ok', 'error'],
      },
    ],
  });

  for (const event of CLIENT_EVENT_NAMES) {
    const payloadId = `${pascal(event)}Payload`;
    const ack = clientEventAckSchemas[event];
    const ackId =
      Object.entries(viewSchemas).find(([, view]) => view === ack)?.[0] ?? `${pascal(event)}AckData`;
    inputs[payloadId] = clientEventSchemas[event];
    outputs[ackId] = ack;
    messages[event] = {
      name: event,
      title: event,
      summary: CLIENT_SUMMARIES[event],
      payload: { $ref: `${REF}${payloadId}` },
    };
    messages[`${event}_ack`] = {
      name: `${event} ack`,
      summary: `The answer to ${event}'s ack callback`,
      payload: ackEnvelope(ackId),
    };
    operations[event] = {
      action: 'receive',
      channel: { $ref: '#/channels/socket' },
      summary: CLIENT_SUMMARIES[event],
      messages: [{ $ref: `#/channels/socket/messages/${event}` }],
      reply: {
        channel: { $ref: '#/channels/socket' },
        messages: [{ $ref: `#/channels/socket/messages/${event}_ack` }],
      },
    };
  }

  const serverEvents = [...CHAT_EVENT_NAMES, 'chat_error'] as const;
  for (const event of serverEvents) {
    const schema = event === 'chat_error' ? chatErrorEventSchema : serverEventSchemas[event];
    // A view payload is referenced by its view's name; any other gets the event's.
    const viewId = Object.entries(viewSchemas).find(([, view]) => view === schema)?.[0];
    const payloadId = viewId ?? `${pascal(event)}Event`;
    if (!viewId) outputs[payloadId] = schema;
    messages[event] = {
      name: event,
      title: event,
      payload: { $ref: `${REF}${payloadId}` },
    };
    operations[`on_${event}`] = {
      action: 'send',
      channel: { $ref: '#/channels/socket' },
      summary: `Server → client: ${event}`,
      messages: [{ $ref: `#/channels/socket/messages/${event}` }],
    };
  }

  const schemas = {
    ...componentSchemas(outputs, 'output', 'draft-07', REF),
    ...componentSchemas(inputs, 'input', 'draft-07', REF),
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Parley Socket.IO events',
      version: options.version,
      description:
        'Socket.IO 4 on the same host and port as the REST API (path /socket.io). Authenticate the ' +
        'handshake with `auth.token` (or the `token` query parameter, or an Authorization header). ' +
        'Every client event takes an optional ack callback answered `{ ok: true, data }` or ' +
        '`{ ok: false, error }`; without one, a failure arrives as `chat_error`.',
    },
    defaultContentType: 'application/json',
    ...(options.serverUrl && {
      servers: {
        parley: {
          host: new URL(options.serverUrl).host,
          protocol: new URL(options.serverUrl).protocol === 'https:' ? 'wss' : 'ws',
          pathname: '/socket.io',
          description: 'Socket.IO (Engine.IO 4)',
        },
      },
    }),
    channels: {
      socket: {
        address: '/',
        title: "A client's Socket.IO connection (namespace /)",
        messages,
      },
    },
    operations,
    components: { schemas },
  };
}
