/** The Socket.IO event maps of the contract, as socket.io-client's generics want them. */
import type { AckResponse, ClientEventMap, ClientEventName, ServerToClientEvents } from '@parley/chat-core';

/** Client→server events: the payload and an ack answered with the contract's envelope. */
export type ClientToServerEvents = {
  [K in ClientEventName]: (
    payload: ClientEventMap[K]['payload'],
    ack: (response: AckResponse<ClientEventMap[K]['data']>) => void,
  ) => void;
};

/**
 * Server→client events as they reach a handler: the payload, plus the delivery-receipt callback
 * on `new_private_message` (absent when the device owes too many receipts).
 */
export type ServerEvents = Omit<ServerToClientEvents, 'new_private_message'> & {
  new_private_message: (
    payload: Parameters<ServerToClientEvents['new_private_message']>[0],
    ack?: () => void,
  ) => void;
};

/** Name of a server→client event. */
export type ServerEventName = keyof ServerEvents;

/** The payload of a server→client event. */
export type ServerEventPayload<K extends ServerEventName> = Parameters<ServerEvents[K]>[0];
