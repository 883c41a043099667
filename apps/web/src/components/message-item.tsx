/**
 * One message in a chat. Its actions come from {@link messageActions}: a new feature adds an entry
 * there and, if it shows something, a part in {@link MessageItem}'s body, without touching the chat
 * screen. Edit (in place, then "edited"), reactions (a fixed palette and counts), pins and threads
 * are such entries.
 */
import type { MessageView, OutboxEntry } from '@parley/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import { attempt, changed, hideMessage, nameOf, navigate, state } from '../state.js';

export interface MessageContext {
  message: MessageView;
  mine: boolean;
  /** Whether the viewer is owner or admin of the message's group. */
  admin: boolean;
  /** Shown inside a thread view: no "Reply in thread" there. */
  inThread?: boolean;
}

export interface MessageAction {
  id: string;
  label: string;
  /** Whether the action applies to this message. */
  when: (context: MessageContext) => boolean;
  run: (context: MessageContext) => Promise<unknown>;
}

/** The reaction palette: fixed, each with a name (for labels: not every machine draws emoji). */
export const REACTIONS: readonly { emoji: string; name: string }[] = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laughing' },
  { emoji: '😮', name: 'surprised' },
  { emoji: '😢', name: 'sad' },
];

const reactionName = (emoji: string) => REACTIONS.find((r) => r.emoji === emoji)?.name ?? emoji;

/** Adds or takes back the viewer's reaction. */
export function toggleReaction(message: MessageView, emoji: string): Promise<boolean> {
  const mine = message.reactions?.some((r) => r.emoji === emoji && r.me) ?? false;
  const messages = state.client!.rest.messages;
  return attempt(() => (mine ? messages.unreact(message.id, emoji) : messages.react(message.id, emoji)));
}

const live = (message: MessageView) => !message.recalled && message.contentType !== 'system';

/** Whether the viewer may pin in this message's conversation: either party, or a group's owner/admins. */
const canPin = ({ message, admin }: MessageContext) => message.type === 'private' || admin;

export const messageActions: MessageAction[] = [
  {
    id: 'edit',
    label: 'Edit',
    when: ({ message, mine }) => mine && live(message) && (message.contentType ?? 'text') === 'text',
    run: async ({ message }) => {
      state.editing = message.id;
      changed();
    },
  },
  {
    id: 'thread',
    label: 'Reply in thread',
    when: ({ message, inThread }) => !inThread && live(message) && !message.replyTo,
    run: async ({ message }) =>
      navigate({ name: 'thread', conversationId: message.conversationId, messageId: message.id }),
  },
  {
    id: 'pin',
    label: 'Pin',
    when: (context) => live(context.message) && !context.message.pinned && canPin(context),
    run: ({ message }) =>
      attempt(() => state.client!.rest.conversations.pin(message.conversationId, message.id), 'Pinned.'),
  },
  {
    id: 'unpin',
    label: 'Unpin',
    when: (context) => !!context.message.pinned && canPin(context),
    run: ({ message }) =>
      attempt(() => state.client!.rest.conversations.unpin(message.conversationId, message.id)),
  },
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
  const editing = state.editing === message.id;
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
        {message.replyTo && !context.inThread && <span class="reply-mark">Reply in a thread</span>}
        {editing ? <EditForm message={message} /> : <Content message={message} />}
        <span class="meta">
          {message.pinned && (
            <span class="pinned" role="img" aria-label="Pinned" title="Pinned">
              📌
            </span>
          )}
          {message.editedAt && !message.recalled && <span class="edited">edited</span>}
          <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
          {mine && message.type === 'private' && <Ticks status={message.status ?? 'sent'} />}
        </span>
        <Reactions message={message} />
        {!context.inThread && (message.replyCount ?? 0) > 0 && (
          <button
            type="button"
            class="link replies"
            onClick={() =>
              navigate({ name: 'thread', conversationId: message.conversationId, messageId: message.id })
            }
          >
            {message.replyCount === 1 ? '1 reply' : `${message.replyCount} replies`}
          </button>
        )}
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
              {live(message) && (
                <fieldset class="palette" aria-label="React">
                  {REACTIONS.map(({ emoji, name }) => (
                    <button
                      type="button"
                      aria-label={`React with ${name}`}
                      title={name}
                      onClick={() => {
                        setOpen(false);
                        void toggleReaction(message, emoji);
                      }}
                    >
                      {emoji}
                    </button>
                  ))}
                </fieldset>
              )}
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

/** The reaction counts under a message; each toggles the viewer's own. */
function Reactions({ message }: { message: MessageView }) {
  const reactions = message.reactions ?? [];
  if (reactions.length === 0 || message.recalled) return null;
  return (
    <fieldset class="reactions" aria-label="Reactions">
      {reactions.map((r) => (
        <button
          type="button"
          class={r.me ? 'reaction me' : 'reaction'}
          aria-pressed={r.me}
          aria-label={`${reactionName(r.emoji)}: ${r.count}${r.me ? ', including you' : ''}`}
          data-emoji={r.emoji}
          onClick={() => void toggleReaction(message, r.emoji)}
        >
          {r.emoji} <span class="count">{r.count}</span>
        </button>
      ))}
    </fieldset>
  );
}

/** Editing one's text message in place: Enter (or Save) saves, Escape (or Cancel) leaves it. */
function EditForm({ message }: { message: MessageView }) {
  const [text, setText] = useState(message.content);
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const close = () => {
    state.editing = null;
    changed();
  };
  const save = async () => {
    const content = text.trim();
    if (!content || content === message.content) return close();
    if (await attempt(() => state.client!.rest.messages.edit(message.id, content))) close();
  };
  return (
    <form
      class="edit"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <textarea
        ref={input}
        aria-label="Edit message"
        rows={2}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            close();
          } else if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            void save();
          }
        }}
      />
      <button type="submit" class="primary" disabled={!text.trim()}>
        Save
      </button>
      <button type="button" onClick={close}>
        Cancel
      </button>
    </form>
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
