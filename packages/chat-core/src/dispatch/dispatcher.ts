/**
 * The transport-neutral dispatcher: event name → budget → engine operation → the contract's ack
 * envelope. The Socket.IO transport hands it every client frame; a second transport (raw
 * WebSocket, SSE + POST) would do the same and stay small. Payloads are validated once, by the
 * engine operation each event calls.
 */

import { z } from 'zod';
import type { Origin } from '../context.js';
import { ChatError, type ChatErrorBody, toChatError } from '../errors.js';
import type { GroupService } from '../groups/group-service.js';
import { groupIdSchema } from '../groups/schemas.js';
import type { MessageService } from '../messaging/message-service.js';
import { messageIdSchema } from '../messaging/schemas.js';
import type { Logger } from '../ports/logger.js';
import type { PresenceService } from '../presence/presence-service.js';
import { parseInput } from '../util/validate.js';
import {
  type AckResponse,
  CLIENT_EVENT_NAMES,
  type ClientEventMap,
  type ClientEventName,
  isClientEventName,
} from './client-events.js';
import type { EventBudget } from './event-budget.js';

/** The connection an event came in on, as the transport describes it. */
export interface DispatchConnection extends Origin {
  /** Adds this connection to a group's room (`join_group_room`); absent where there are no rooms (REST). */
  joinGroup?: ((groupId: string) => Promise<void> | void) | undefined;
  /** Whether the connection is still open: a room is never joined by one that has gone. */
  isOpen?: (() => boolean) | undefined;
}

/** Runs client events: `engine.dispatcher`. */
export interface Dispatcher {
  /**
   * Runs one client event and answers the ack envelope; never rejects. Spends one event of the
   * user's budget first (RATE_LIMITED with `retryAfterMs` past it); an unknown event name is
   * VALIDATION_FAILED naming the events there are. INTERNAL errors are logged with their cause
   * and answered with the generic message only.
   */
  handle(
    userId: string,
    event: unknown,
    payload: unknown,
    connection: DispatchConnection,
    options?: HandleOptions,
  ): Promise<AckResponse<unknown>>;
  /**
   * Spends one event of the user's budget: RATE_LIMITED with `details.retryAfterMs` past it. A
   * transport calls it as a frame arrives, so an event over budget is answered at once and never
   * waits in a connection's queue; it then passes `{ admitted: true }` to {@link handle}.
   */
  admit(userId: string): Promise<void>;
  /**
   * The same as {@link handle}, resolving with the data or rejecting with the ChatError: for a
   * REST route that is the fallback of an event (sending), so both share one budget.
   */
  call<K extends ClientEventName>(
    userId: string,
    event: K,
    payload: unknown,
    connection?: DispatchConnection,
  ): Promise<ClientEventMap[K]['data']>;
  /**
   * A device acknowledged `new_private_message` / `new_group_message`: the message is delivered
   * (its sender hears `message_delivered` once). Failures are logged, never thrown.
   */
  received(userId: string, messageId: string): Promise<void>;
}

/** Options of {@link Dispatcher.handle}. */
export interface HandleOptions {
  /** The event's budget was already spent with {@link Dispatcher.admit}. @default false */
  admitted?: boolean;
  /** Where the cause of an INTERNAL failure is logged (a transport's own logger). @default the engine's logger */
  logger?: Logger;
}

type Handler = (userId: string, payload: unknown, connection: DispatchConnection) => Promise<unknown>;

const joinRoomSchema = z.object({ groupId: groupIdSchema });

/** Builds the dispatcher over the engine's services. */
export function createDispatcher(deps: {
  messages: MessageService;
  groups: GroupService;
  presence: PresenceService;
  budget: EventBudget;
  logger: Logger;
  /** Resolves once the webhook and push entries of what ran are durable (see Integrations). */
  settled: () => Promise<void>;
}): Dispatcher {
  const { messages, groups, presence, budget, logger, settled } = deps;

  // Each payload goes to the engine as it came: the operation's own schema is the only check. The
  // connection is the operation's Origin as it is (a DispatchConnection is one): no copy per event.
  const handlers: Record<ClientEventName, Handler> = {
    private_message: (userId, payload, connection) =>
      messages.sendPrivate(userId, payload as ClientEventMap['private_message']['payload'], connection),
    group_message: (userId, payload, connection) =>
      messages.sendGroup(userId, payload as ClientEventMap['group_message']['payload'], connection),
    message_status_update: async (userId, payload) => {
      await messages.updateStatus(userId, payload as ClientEventMap['message_status_update']['payload']);
      return {};
    },
    typing_status: async (userId, payload, connection) => {
      await presence.typing(userId, payload as ClientEventMap['typing_status']['payload'], connection);
      return {};
    },
    join_group_room: async (userId, payload, connection) => {
      const { groupId } = parseInput(joinRoomSchema, payload);
      await groups.assertMember(userId, groupId);
      if (connection.joinGroup && (connection.isOpen?.() ?? true)) await connection.joinGroup(groupId);
      return { groupId };
    },
    recall_message: (userId, payload) =>
      messages.recall(userId, parseInput(messageIdSchema, payload).messageId),
    sync: (userId, payload) => messages.sync(userId, payload as ClientEventMap['sync']['payload']),
    edit_message: (userId, payload) => {
      const input = (payload ?? {}) as Partial<ClientEventMap['edit_message']['payload']>;
      return messages.edit(userId, input.messageId as string, { content: input.content as string });
    },
    react_message: (userId, payload) =>
      messages.react(userId, payload as ClientEventMap['react_message']['payload']),
  };

  const unknownEvent = (event: unknown) =>
    new ChatError('VALIDATION_FAILED', `Unknown event ${JSON.stringify(String(event)).slice(0, 80)}`, {
      details: { fields: { event: `must be one of ${CLIENT_EVENT_NAMES.join(', ')}` } },
    });

  const run = async (
    userId: string,
    event: unknown,
    payload: unknown,
    connection: DispatchConnection,
    admitted = false,
  ) => {
    if (!admitted) await budget.spend(userId);
    if (!isClientEventName(event)) throw unknownEvent(event);
    const data = await handlers[event](userId, payload, connection);
    // Acknowledge only what is durable everywhere it must go, webhooks and pushes included.
    await settled();
    return data;
  };

  const errorBody = (error: unknown, userId: string, event: unknown, log = logger): ChatErrorBody => {
    const chatError = toChatError(error);
    if (chatError.code !== 'INTERNAL') return chatError.toJSON();
    log.error({ err: error, event: String(event), userId }, 'client event failed');
    return new ChatError('INTERNAL').toJSON();
  };

  return {
    // `run` inlined: every socket event passes here, and one async frame fewer is one promise and
    // one await fewer per event.
    async handle(userId, event, payload, connection, options = {}) {
      try {
        if (options.admitted !== true) await budget.spend(userId);
        if (!isClientEventName(event)) throw unknownEvent(event);
        const data = await handlers[event](userId, payload, connection);
        await settled();
        return { ok: true, data };
      } catch (error) {
        return { ok: false, error: errorBody(error, userId, event, options.logger) };
      }
    },

    admit(userId) {
      return budget.spend(userId);
    },

    call(userId, event, payload, connection = {}) {
      return run(userId, event, payload, connection) as Promise<ClientEventMap[typeof event]['data']>;
    },

    received(userId, messageId) {
      return messages.markDelivered(userId, messageId).catch((error: unknown) => {
        logger.error({ err: error, userId, messageId }, 'recording a delivery failed');
      });
    },
  };
}
