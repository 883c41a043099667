/**
 * The typed Socket.IO surface of Parley: both event maps, the per-socket data and the ack
 * answer. Both maps come from chat-core (`ChatEventMap` for server→client, `ClientEventMap` for
 * client→server), so the engine, the dispatcher and the `Server<…>` generics cannot drift apart.
 */
import type {
  AckResponse,
  ClientEventMap,
  ClientEventName,
  ServerToClientEvents as CoreServerToClientEvents,
  MessageView,
} from '@parley/chat-core';
import type { Server, Socket } from 'socket.io';

export type {
  AckResponse,
  ClientEventName,
  StatusUpdateInput as StatusUpdatePayload,
  SyncInput as SyncPayload,
} from '@parley/chat-core';

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

/** Client→server events of the contract, each with an optional ack. */
export type ClientToServerEvents = {
  [K in ClientEventName]: (
    payload: ClientEventMap[K]['payload'],
    ack?: Ack<ClientEventMap[K]['data']>,
  ) => void;
};

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
