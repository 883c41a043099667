/**
 * One message in a chat. Its actions come from {@link messageActions}: a new feature (edit,
 * reactions, pins, threads) adds an entry there and, if it shows something, a part in
 * {@link MessageItem}'s body, without touching the chat screen.
 */
import type { MessageView, OutboxEntry } from '@parley/client';
import { useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import { attempt, hideMessage, nameOf, state } from '../state.js';

export interface MessageContext {
  message: MessageView;
  mine: boolean;
  /** Whether the viewer is owner or admin of the message's group. */
  admin: boolean;
}

export interface MessageAction {
  id: string;
  label: string;
  /** Whether the action applies to this message. */
  when: (context: MessageContext) => boolean;
  run: (context: MessageContext) => Promise<unknown>;
}

export const messageActions: MessageAction[] = [
  {
    id: 'recall',
    label: 'Recall',
    when: ({ message, mine, admin }) =>
      !message.recalled && message.contentType !== 'system' && (mine || admin),
    run: ({ message }) => attempt(() => state.client!.recall(message.id)),
  },
  {
    id: 'delete',
    label: 'Delete for me',
    when: ({ message }) => message.contentType !== 'system',
    run: ({ message }) =>
      attempt(async () => {
        await state.client!.rest.messages.deleteForMe(message.id);
        hideMessage(message.id);
      }),
  },
];

const TICKS: Record<string, { mark: string; label: string }> = {
  queued: { mark: '○', label: 'Waiting to send' },
  sending: { mark: '○', label: 'Sending' },
  sent: { mark: '✓', label: 'Sent' },
  delivered: { mark: '✓✓', label: 'Delivered' },
  read: { mark: '✓✓', label: 'Read' },
  failed: { mark: '!', label: 'Not sent' },
};

function Ticks({ status }: { status: string }) {
  const tick = TICKS[status];
  if (!tick) return null;
  return (
    <span
      class={`ticks ${status}`}
      data-status={status}
      title={tick.label}
      role="img"
      aria-label={tick.label}
    >
      {tick.mark}
    </span>
  );
}

/** Text with @mentions of known members highlighted. */
function Content({ message }: { message: MessageView }) {
  if (message.recalled) return <em class="recalled">This message was recalled</em>;
  const names = (message.mentions ?? []).map((id) => `@${state.users.get(id)?.nickname ?? ''}`);
  if (message.mentionAll) names.push('@all');
  const wanted = names.filter((n) => n.length > 1);
  if (wanted.length === 0) return <span class="text">{message.content}</span>;
  const pattern = new RegExp(`(${wanted.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  return (
    <span class="text">
      {message.content
        .split(pattern)
        .map((part) =>
          wanted.includes(part) ? (
            <mark class={part === `@${state.me?.nickname}` || part === '@all' ? 'mention me' : 'mention'}>
              {part}
            </mark>
          ) : (
            part
          ),
        )}
    </span>
  );
}

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function MessageItem({ context, showSender }: { context: MessageContext; showSender: boolean }) {
  const { message, mine } = context;
  const [open, setOpen] = useState(false);
  if (message.contentType === 'system')
    return (
      <li class="system" data-seq={message.seq}>
        {message.content}
      </li>
    );
  const actions = messageActions.filter((action) => action.when(context));
  return (
    <li
      class={mine ? 'message mine' : 'message'}
      data-seq={message.seq}
      data-message-id={message.id}
      {...(message.recalled && { 'data-recalled': 'true' })}
    >
      <div class="bubble">
        {showSender && !mine && <span class="sender">{nameOf(message.senderId)}</span>}
        <Content message={message} />
        <span class="meta">
          <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
          {mine && message.type === 'private' && <Ticks status={message.status ?? 'sent'} />}
        </span>
      </div>
      {actions.length > 0 && (
        <div class="actions">
          <button
            type="button"
            class="more"
            aria-label="Message actions"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            ⋯
          </button>
          {open && (
            <div class="menu">
              {actions.map((action) => (
                <button
                  type="button"
                  onClick={() => {
                    setOpen(false);
                    void action.run(context);
                  }}
                >
                  {action.label}
                </button>
              ))}
            </div>
          )}
        </div>
      )}
    </li>
  );
}

/** A send the server has not stored yet. */
export function PendingItem({ entry }: { entry: OutboxEntry }) {
  return (
    <li class="message mine pending" data-client-msg-id={entry.clientMsgId} data-state={entry.state}>
      <div class="bubble">
        <span class="text">{entry.content}</span>
        <span class="meta">
          <Ticks status={entry.state} />
        </span>
        {entry.state === 'failed' && (
          <span class="failure">
            <span>{plainWords(entry.error)} </span>
            <button type="button" class="link" onClick={() => state.client!.outbox.retry(entry.clientMsgId)}>
              Retry
            </button>
            <button
              type="button"
              class="link"
              onClick={() => void state.client!.outbox.discard(entry.clientMsgId)}
            >
              Discard
            </button>
          </span>
        )}
      </div>
    </li>
  );
}
