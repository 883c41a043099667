/**
 * The engine's events. `ChatEventMap` is the server→client half of the API contract: each key is
 * a Socket.IO event name and its value the payload. The engine computes who hears each event (an
 * {@link Audience}); a transport only routes it. `ControlEventMap` carries what a transport must
 * act on but never forwards (revoked sessions, room membership changes).
 */
import { EventEmitter } from 'eventemitter3';
import type {
  AnnouncementView,
  FriendRequestView,
  GroupView,
  JoinRequestView,
  MessageView,
  PublicUser,
} from './domain/views.js';

/** Server→client events of the contract, with their payloads. */
export interface ChatEventMap {
  new_private_message: MessageView;
  new_group_message: MessageView;
  message_delivered: { messageId: string; conversationId: string; userId: string; seq: number };
  message_read: { messageId: string; readerId: string; conversationId: string; seq: number };
  message_recalled: { messageId: string; conversationId: string; by: string };
  message_edited: {
    messageId: string;
    conversationId: string;
    content: string;
    editedAt: string;
    version: number;
  };
  message_reaction: {
    messageId: string;
    conversationId: string;
    userId: string;
    emoji: string;
    add: boolean;
    version: number;
  };
  message_pinned: { conversationId: string; messageId: string; by: string; version: number };
  message_unpinned: { conversationId: string; messageId: string; by: string; version: number };
  mention: { messageId: string; groupId: string; from: string };
  typing_status_update: { from: string; isTyping: boolean; groupId?: string };
  user_presence: { userId: string; status: 'online' | 'offline'; lastSeenAt?: string };
  friend_request: FriendRequestView;
  friend_request_accepted: FriendRequestView;
  friend_request_rejected: FriendRequestView;
  friend_removed: { userId: string; user: PublicUser };
  group_announcement_updated: { groupId: string; announcement: AnnouncementView | null };
  group_updated: { groupId: string; group: GroupView };
  group_member_joined: { groupId: string; userId: string; user: PublicUser; by: string | null };
  group_member_left: { groupId: string; userId: string };
  group_member_removed: { groupId: string; userId: string; by: string };
  group_member_muted: { groupId: string; userId: string; mutedUntil: string | null; by: string };
  group_join_request: { groupId: string; request: JoinRequestView };
  group_dissolved: { groupId: string; by: string };
  user_updated: PublicUser;
}

/** Name of a server→client event. */
export type ChatEventName = keyof ChatEventMap;

/** Every server→client event name, for transports that subscribe to all of them. */
export const CHAT_EVENT_NAMES: readonly ChatEventName[] = [
  'new_private_message',
  'new_group_message',
  'message_delivered',
  'message_read',
  'message_recalled',
  'message_edited',
  'message_reaction',
  'message_pinned',
  'message_unpinned',
  'mention',
  'typing_status_update',
  'user_presence',
  'friend_request',
  'friend_request_accepted',
  'friend_request_rejected',
  'friend_removed',
  'group_announcement_updated',
  'group_updated',
  'group_member_joined',
  'group_member_left',
  'group_member_removed',
  'group_member_muted',
  'group_join_request',
  'group_dissolved',
  'user_updated',
];

/**
 * Who hears an event: every connection of the listed users and every member of the listed groups
 * (a transport maps these to rooms), less one connection (the one the action came from).
 */
export interface Audience {
  users?: readonly string[];
  groups?: readonly string[];
  /** A connection id to leave out, e.g. the sender's own socket for `new_private_message`. */
  exceptConnection?: string | undefined;
}

/** Events a transport acts on but never forwards to clients. */
export interface ControlEventMap {
  /**
   * Sessions were revoked: with `jti`, the connections authenticated by that token; without, every
   * connection of the user. The transport disconnects them.
   */
  session_revoked: { userId: string; jti?: string };
  /** The user joined a group: their connections join the group's room. */
  membership_added: { userId: string; groupId: string };
  /** The user left, was kicked, or the group was dissolved: their connections leave the room. */
  membership_removed: { userId: string; groupId: string };
}

/** Listener signatures of the engine's event emitter. */
export type ChatEventListeners = {
  [K in ChatEventName]: (payload: ChatEventMap[K], audience: Audience) => void;
};

/** Listener signatures of the control emitter. */
export type ControlEventListeners = {
  [K in keyof ControlEventMap]: (payload: ControlEventMap[K]) => void;
};

/** The engine's emitter of client events: `engine.events.on('new_private_message', (msg, audience) => …)`. */
export type ChatEvents = EventEmitter<ChatEventListeners>;

/** The engine's emitter of control events. */
export type ControlEvents = EventEmitter<ControlEventListeners>;

/** Creates the two emitters of an engine. */
export function createEventBuses(): { events: ChatEvents; control: ControlEvents } {
  return {
    events: new EventEmitter<ChatEventListeners>(),
    control: new EventEmitter<ControlEventListeners>(),
  };
}

/**
 * Typed Socket.IO event maps derived from {@link ChatEventMap}, for `Server<ClientToServer,
 * ServerToClient>` generics.
 */
export type ServerToClientEvents = {
  [K in ChatEventName]: (payload: ChatEventMap[K]) => void;
} & {
  chat_error: (payload: { event: string; code: string; message: string }) => void;
};
