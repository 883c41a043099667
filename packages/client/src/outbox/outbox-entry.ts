/** What the outbox holds: one send, from creation to its read receipt or its final refusal. */
import type { ContentType, MessageView } from '@parley/chat-core';

/**
 * Where a send is: `queued` (waiting for a connection, a retry or its turn), `sending` (emitted,
 * no answer yet), `sent` (the server stored it: the ack carried the message), `delivered` (a
 * device of the receiver has it), `read`, or `failed` (refused with a final code).
 */
export type OutboxState = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

/** What to send: to a user (`to`) or to a group (`groupId`). */
export type SendInput =
  | {
      to: string;
      content: string;
      contentType?: ContentType;
      replyTo?: string;
      /** Reuse an id (a draft restored by the app); one is made otherwise. */
      clientMsgId?: string;
    }
  | {
      groupId: string;
      content: string;
      contentType?: ContentType;
      mentions?: string[];
      mentionAll?: boolean;
      replyTo?: string;
      clientMsgId?: string;
    };

/** The stored part of an entry: what a reload needs to send it again with the same id. */
export interface OutboxRecord {
  clientMsgId: string;
  conversationId: string;
  kind: 'private' | 'group';
  /** The receiver's id (private) or the group's id. */
  target: string;
  content: string;
  contentType?: ContentType;
  mentions?: string[];
  mentionAll?: boolean;
  replyTo?: string;
  /** ISO time of creation. */
  createdAt: string;
  /** Creation order, for sending in order per conversation across reloads. */
  order: number;
  /** Set once refused with a final code; the entry stays stored until retried or discarded. */
  failure?: { code: string; message: string };
}

/** An entry as the app sees it. */
export interface OutboxEntry extends Readonly<OutboxRecord> {
  readonly state: OutboxState;
  /** How many times it was emitted. */
  readonly attempts: number;
  /** The stored message, once `sent`. */
  readonly message?: MessageView;
  /** The last error: the refusal when `failed`, else the last transient failure. */
  readonly error?: { code: string; message: string };
}

/** Makes a clientMsgId: a random UUID (Web Crypto, in browsers and Node ≥ 19). */
export function newClientMsgId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  // Old runtimes: 122 random bits are plenty for a per-sender idempotency key.
  let id = '';
  for (let i = 0; i < 32; i += 1) id += Math.floor(Math.random() * 16).toString(16);
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-a${id.slice(17, 20)}-${id.slice(20)}`;
}
