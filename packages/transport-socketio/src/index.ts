/**
 * `@parley/transport-socketio`: Parley's realtime wire on Socket.IO 4.
 *
 * ```ts
 * const io = new Server(httpServer, socketServerOptions());
 * const transport = attachSocketIO(io, engine);
 * ```
 */

export {
  CLIENT_EVENT_NAMES,
  type ClientEventMap,
  clientEventSchemas,
} from '@parley/chat-core';
export {
  type AttachSocketIOOptions,
  attachSocketIO,
  DEFAULT_DELIVERY_ACK_TIMEOUT_MS,
  MAX_PENDING_RECEIPTS,
  MAX_QUEUED_EVENTS,
  type SocketTransport,
} from './attach.js';
export { tokenFromHandshake } from './handshake.js';
export { groupRoom, userRoom } from './rooms.js';
export {
  MAX_DISCONNECTION_DURATION_MS,
  MAX_HTTP_BUFFER_SIZE,
  originAllowed,
  type ParleyServerOptions,
  socketServerOptions,
} from './server-options.js';
export type {
  Ack,
  AckResponse,
  ClientEventName,
  ClientToServerEvents,
  InterServerEvents,
  ParleyServer,
  ParleySocket,
  ReceiptAck,
  ServerToClientEvents,
  SocketData,
  StatusUpdatePayload,
  SyncPayload,
} from './types.js';
