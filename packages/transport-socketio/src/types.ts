/**
 * The typed Socket.IO surface of Parley: both event maps, the per-socket data and the ack
 * answer. The server→client map comes from chat-core's `ChatEventMap`, so the engine's emitter
 * and the `Server<…>` generics cannot drift apart.
 */
import type {
  ChatErrorBody,
  ServerToClientEvents as CoreServerToClientEvents,
  MessagePage,
  MessageView,
  SendGroupInput,
  SendPrivateInput,
  TypingInput,
} from '@parley/chat-core';
import type { Server, Socket } from 'socket.io';

/** The answer to every client→server event that carries an ack callback. */
export type AckResponse<T> = { ok: true; data: T } | { ok: false; error: ChatErrorBody };

/** An ack callback as the server receives it from the client. */
export type Ack<T> = (response: AckResponse<T>) => void;

/**
 * What a client passes as the ack of `new_private_message` / `new_group_message`: calling it tells
 * the server this device has the message. Any argument is ignored.
 */
export type ReceiptAck = (received?: unknown) => void;

/**
 * Server→client events. `new_private_message` carries an ack callback so the receiver's device can
 * confirm delivery; `new_group_message` is a plain broadcast (no ack: see the README), typed with
 * an optional one so clients written for either form type-check.
 */
export type ServerToClientEvents = Omit<
  CoreServerToClientEvents,
  'new_private_message' | 'new_group_message'
> & {
  new_private_message: (message: MessageView, ack?: ReceiptAck) => void;
  new_group_message: (message: MessageView, ack?: ReceiptAck) => void;
};

/** Payload of `message_status_update`. */
export interface StatusUpdatePayload {
  messageId: string;
  status: 'delivered' | 'read';
}

/** Payload of `sync`. */
export interface SyncPayload {
  conversationId: string;
  afterSeq: number;
  limit?: number;
}

/** Client→server events of the contract, each with an optional ack. */
export interface ClientToServerEvents {
  private_message: (payload: SendPrivateInput, ack?: Ack<{ message: MessageView }>) => void;
  group_message: (payload: SendGroupInput, ack?: Ack<{ message: MessageView }>) => void;
  message_status_update: (payload: StatusUpdatePayload, ack?: Ack<Record<string, never>>) => void;
  typing_status: (payload: TypingInput, ack?: Ack<Record<string, never>>) => void;
  join_group_room: (payload: { groupId: string }, ack?: Ack<{ groupId: string }>) => void;
  recall_message: (payload: { messageId: string }, ack?: Ack<{ message: MessageView }>) => void;
  sync: (payload: SyncPayload, ack?: Ack<MessagePage>) => void;
}

/** Name of a client→server event. */
export type ClientEventName = keyof ClientToServerEvents;

/** Events between Socket.IO nodes: Parley sends none of its own. */
export type InterServerEvents = Record<string, never>;

/** What the handshake stores on every authenticated socket (`socket.data`). */
export interface SocketData {
  userId: string;
  /** The token's id, so a logout disconnects exactly the sockets of that token. */
  jti: string;
  /** When the token expires, in epoch milliseconds; the socket is disconnected then. */
  exp: number;
  /** The token itself, kept so that a recovered session can be checked again before it resumes. */
  token: string;
}

/** A Socket.IO server typed with Parley's events. */
export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** A Socket.IO socket typed with Parley's events. */
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
