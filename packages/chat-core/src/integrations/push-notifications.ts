/**
 * Offline push: a message to a user with no connected socket becomes a push job, due once the
 * offline grace has passed. When the job runs, the user is checked again (back online, read or
 * delivered elsewhere, recalled, left the group: nothing is pushed); otherwise each of the user's
 * subscriptions gets a Web Push with title, sender and — unless the user turned previews off — a
 * preview of the text. Subscriptions the push service calls gone (404/410) are dropped.
 */
import type { EngineContext } from '../context.js';
import type { ContentType, MessageRecord, OutboxRecord, PushSubscriptionRecord } from '../domain/records.js';
import type { MessageView } from '../domain/views.js';
import type { PushSender } from '../ports/push-sender.js';
import type { DeliveryHandler, DeliveryResult } from './delivery-worker.js';

/** What an outbox push job carries. */
interface PushJob {
  messageId: string;
  /** Only these subscriptions (what is left after a partial failure); all of the user's when absent. */
  subscriptionIds?: string[];
}

/** The JSON a service worker receives in its `push` event. */
export interface PushNotificationPayload {
  type: 'message';
  messageId: string;
  conversationId: string;
  senderId: string;
  senderName: string;
  groupId?: string;
  groupName?: string;
  /** The sender's name (private) or the group's. */
  title: string;
  /** A preview of the text, or "New message" when the user turned previews off. */
  body: string;
  /** ISO time the message was sent. */
  sentAt: string;
  /** Where the web app shows the conversation. */
  url: string;
}

const PREVIEW_LENGTH = 120;

const MEDIA_LABELS: Partial<Record<ContentType, string>> = {
  image: '[Image]',
  file: '[File]',
  audio: '[Voice message]',
  video: '[Video]',
  location: '[Location]',
  custom: '[Message]',
};

/** A short, single-line preview of a message. */
export function previewOf(message: Pick<MessageRecord, 'content' | 'contentType'>): string {
  const label = MEDIA_LABELS[message.contentType];
  if (label !== undefined) return label;
  const flat = message.content.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= PREVIEW_LENGTH ? flat : `${chars.slice(0, PREVIEW_LENGTH - 1).join('')}…`;
}

/**
 * The push jobs of a new message: one per recipient who has no connected socket and at least one
 * subscription, due after the offline grace (a user reconnecting meanwhile gets it live instead).
 */
export async function planPushes(ctx: EngineContext, message: MessageView): Promise<OutboxRecord[]> {
  if (message.contentType === 'system') return [];
  const recipients =
    message.type === 'private'
      ? message.receiverId !== undefined
        ? [message.receiverId]
        : []
      : (await ctx.store.groups.listMemberIds(message.groupId ?? '')).filter((id) => id !== message.senderId);
  if (recipients.length === 0) return [];
  const online = await ctx.presence.onlineAmong(recipients);
  const offline = recipients.filter((id) => !online.has(id));
  if (offline.length === 0) return [];
  const subscribed = await ctx.store.pushSubscriptions.usersWithSubscriptions(offline);
  const now = ctx.clock.now();
  const dueAt = new Date(now.getTime() + ctx.config.presenceGraceMs);
  const job = JSON.stringify({ messageId: message.id } satisfies PushJob);
  return offline
    .filter((id) => subscribed.has(id))
    .map((userId) => ({
      id: `push:${message.id}:${userId}`,
      kind: 'push' as const,
      target: userId,
      payload: job,
      attempts: 0,
      dueAt,
      leaseUntil: null,
      lastError: null,
      failedAt: null,
      createdAt: now,
    }));
}

/** Why a push job needs no push (or null when it does): the user has the message some other way. */
async function needlessBecause(ctx: EngineContext, userId: string, message: MessageRecord | null) {
  if (!message || message.recalledAt !== null) return 'message gone or recalled';
  if (await ctx.presence.isOnline(userId)) return 'user back online';
  const cursor = await ctx.store.messages.getCursor(userId, message.conversationId);
  if (cursor && (cursor.readSeq >= message.seq || cursor.deliveredSeq >= message.seq))
    return 'already delivered';
  if (message.groupId !== null && !(await ctx.store.groups.getMember(message.groupId, userId))) {
    return 'no longer a member';
  }
  return null;
}

/** Runs push jobs with the host's {@link PushSender}. */
export function pushDeliverer(ctx: EngineContext, sender: PushSender): DeliveryHandler {
  const { store } = ctx;
  return async (entry): Promise<DeliveryResult> => {
    const job = JSON.parse(entry.payload) as PushJob;
    const userId = entry.target;
    const message = await store.messages.getMessage(job.messageId);
    if ((await needlessBecause(ctx, userId, message)) !== null || message === null) return { kind: 'done' };
    const [user, author, group, all] = await Promise.all([
      store.users.getById(userId),
      store.users.getById(message.senderId),
      message.groupId === null ? null : store.groups.get(message.groupId),
      store.pushSubscriptions.listByUser(userId),
    ]);
    if (!user) return { kind: 'done' };
    const wanted = job.subscriptionIds ? new Set(job.subscriptionIds) : null;
    const subscriptions = wanted ? all.filter((s) => wanted.has(s.id)) : all;
    if (subscriptions.length === 0) return { kind: 'done' };

    const senderName = author?.nickname ?? 'Someone';
    const preview = user.privacy.pushPreviews ? previewOf(message) : 'New message';
    const notification: PushNotificationPayload = {
      type: 'message',
      messageId: message.id,
      conversationId: message.conversationId,
      senderId: message.senderId,
      senderName,
      ...(group ? { groupId: group.id, groupName: group.name } : {}),
      title: group ? group.name : senderName,
      body: group && user.privacy.pushPreviews ? `${senderName}: ${preview}` : preview,
      sentAt: message.createdAt.toISOString(),
      url: `${ctx.config.publicUrl.replace(/\/$/, '')}/?conversation=${encodeURIComponent(message.conversationId)}`,
    };
    const payload = JSON.stringify(notification);

    const retry: string[] = [];
    let retryAfterMs = 0;
    let lastError = '';
    await Promise.all(
      subscriptions.map(async (subscription: PushSubscriptionRecord) => {
        const outcome = await sender
          .send(
            {
              endpoint: subscription.endpoint,
              keys: { p256dh: subscription.p256dh, auth: subscription.auth },
            },
            payload,
            { ttlSeconds: ctx.config.pushTtlSeconds, urgency: 'high' },
          )
          .catch((error: unknown) => ({
            kind: 'retry' as const,
            error: error instanceof Error ? error.message : String(error),
          }));
        if (outcome.kind === 'gone') {
          await store.pushSubscriptions.deleteByEndpoint(subscription.endpoint);
        } else if (outcome.kind === 'rejected') {
          ctx.logger.warn({ userId, error: outcome.error }, 'push service refused a notification');
        } else if (outcome.kind === 'retry') {
          retry.push(subscription.id);
          lastError = outcome.error;
          retryAfterMs = Math.max(retryAfterMs, 'retryAfterMs' in outcome ? (outcome.retryAfterMs ?? 0) : 0);
        }
      }),
    );
    if (retry.length === 0) return { kind: 'done' };
    return {
      kind: 'retry',
      error: lastError,
      retryAfterMs,
      payload: JSON.stringify({ messageId: message.id, subscriptionIds: retry } satisfies PushJob),
    };
  };
}
