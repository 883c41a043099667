/**
 * A conversation: history with scroll-back, live messages, typing, presence, the pinned list, the
 * composer with @mentions (also the thread view's, with `replyTo`).
 */
import type { GroupMemberView, MessageView } from '@parley/client';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { MessageItem, PendingItem } from '../components/message-item.js';
import {
  attempt,
  conversationName,
  nameOf,
  navigate,
  peerOf,
  presenceOf,
  refreshGroup,
  state,
  useApp,
} from '../state.js';

function lastSeen(iso: string | null): string {
  if (!iso) return 'offline';
  return `last seen ${new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}`;
}

export function ChatScreen({ conversationId }: { conversationId: string }) {
  const app = useApp();
  const client = app.client!;
  const isGroup = conversationId.startsWith('g:');
  const groupId = isGroup ? conversationId.slice(2) : null;
  const peerId = isGroup ? null : peerOf(conversationId);
  const group = groupId ? app.groups.get(groupId) : undefined;
  const members = groupId ? (app.members.get(groupId) ?? []) : [];
  const myRole = members.find((m) => m.userId === app.me?.id)?.role ?? group?.myRole;
  const admin = myRole === 'owner' || myRole === 'admin';
  const snapshot = client.conversation(conversationId);
  const messages = client.messages(conversationId).filter((m) => !app.hidden.has(m.id));
  const pending = client.pending(conversationId);
  const scroller = useRef<HTMLOListElement>(null);
  const [olderDone, setOlderDone] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const stick = useRef(true);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const [showPins, setShowPins] = useState(false);
  const [pins, setPins] = useState<MessageView[] | null>(null);
  // The pinned list follows the pins of the held messages (live from message_pinned/unpinned).
  const pinKey = messages
    .filter((m) => m.pinned)
    .map((m) => m.id)
    .join(',');
  useEffect(() => {
    if (!showPins) return;
    void attempt(async () => setPins((await client.rest.conversations.pins(conversationId)).messages));
  }, [showPins, pinKey]);
  const replies = new Map<string, number>();
  for (const m of messages) if (m.replyTo) replies.set(m.replyTo, (replies.get(m.replyTo) ?? 0) + 1);

  useEffect(() => {
    if (groupId) void refreshGroup(groupId);
  }, [groupId]);

  // Opened, or a new message while open and visible: it is read.
  const newest = messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    if ((snapshot?.unreadCount ?? 0) > 0 && document.visibilityState === 'visible')
      client.markRead(conversationId).catch(() => {});
    state.mentioned.delete(conversationId);
  }, [newest, snapshot?.unreadCount]);

  // A fresh conversation with nothing held yet: load its newest page.
  useEffect(() => {
    if (client.messages(conversationId).length === 0) void loadOlder();
  }, [conversationId]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current) {
      // Older messages went in above: keep what was on screen where it was.
      el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    } else if (stick.current) el.scrollTop = el.scrollHeight;
  });

  const loadOlder = async () => {
    if (loadingOlder || olderDone) return;
    const oldest = client.messages(conversationId)[0];
    if (oldest && oldest.seq <= 1) {
      setOlderDone(true);
      return;
    }
    setLoadingOlder(true);
    const el = scroller.current;
    if (el && oldest) anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    try {
      const added = await client.loadOlder(conversationId, 30);
      if (added === 0) setOlderDone(true);
    } catch {
      anchor.current = null;
    } finally {
      setLoadingOlder(false);
    }
  };

  const typingNames = (snapshot?.typing ?? []).filter((id) => id !== app.me?.id).map(nameOf);
  const presence = peerId ? presenceOf(peerId) : undefined;
  const subtitle = isGroup
    ? `${group?.memberCount ?? members.length} members`
    : presence?.status === 'online'
      ? 'online'
      : lastSeen(presence?.lastSeenAt ?? null);

  return (
    <div class="chat">
      <header class="chat-head">
        <button
          type="button"
          class="back"
          aria-label="Back to chats"
          onClick={() => navigate({ name: 'chats' })}
        >
          ←
        </button>
        <div class="title">
          <h2>{conversationName(conversationId)}</h2>
          <span class="subtitle" data-presence={presence?.status ?? ''}>
            {typingNames.length > 0 ? (
              <span class="typing" aria-live="polite">
                {typingNames.join(', ')} {typingNames.length > 1 ? 'are' : 'is'} typing…
              </span>
            ) : (
              subtitle
            )}
          </span>
        </div>
        <button type="button" aria-expanded={showPins} onClick={() => setShowPins(!showPins)}>
          Pinned
        </button>
        {groupId && (
          <button type="button" onClick={() => navigate({ name: 'group-info', groupId })}>
            Group info
          </button>
        )}
      </header>
      {showPins && (
        <section class="pins" aria-label="Pinned messages">
          {pins === null ? (
            <p>Loading…</p>
          ) : pins.length === 0 ? (
            <p>No pinned messages.</p>
          ) : (
            <ul>
              {pins.map((m) => (
                <li data-message-id={m.id}>
                  <button
                    type="button"
                    class="link"
                    onClick={() =>
                      scroller.current
                        ?.querySelector(`[data-message-id="${m.id}"]`)
                        ?.scrollIntoView({ block: 'center' })
                    }
                  >
                    <span class="sender">{nameOf(m.senderId)}:</span>{' '}
                    {m.recalled ? 'This message was recalled' : m.content}
                  </button>
                  {(!isGroup || admin) && (
                    <button
                      type="button"
                      class="link"
                      aria-label={`Unpin: ${m.content}`}
                      onClick={() =>
                        void attempt(() => client.rest.conversations.unpin(conversationId, m.id))
                      }
                    >
                      Unpin
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {group?.announcement?.text && (
        <p class="announcement" role="note">
          <strong>Announcement:</strong> {group.announcement.text}
        </p>
      )}
      <ol
        class="messages"
        ref={scroller}
        aria-label="Messages"
        onScroll={(event) => {
          const el = event.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          if (el.scrollTop < 30) void loadOlder();
        }}
      >
        <li class="older">
          {olderDone || (messages[0]?.seq ?? 1) <= 1 ? (
            <span>{messages.length ? 'Beginning of the conversation' : 'No messages yet. Say hello!'}</span>
          ) : (
            <button type="button" class="link" disabled={loadingOlder} onClick={() => void loadOlder()}>
              {loadingOlder ? 'Loading…' : 'Load older messages'}
            </button>
          )}
        </li>
        {messages.map((message, i) => (
          <MessageItem
            key={message.id}
            context={{
              message: withReplies(message, replies.get(message.id) ?? 0),
              mine: message.senderId === app.me?.id,
              admin,
            }}
            showSender={isGroup && messages[i - 1]?.senderId !== message.senderId}
          />
        ))}
        {pending.map((entry) => (
          <PendingItem key={entry.clientMsgId} entry={entry} />
        ))}
      </ol>
      <Composer
        conversationId={conversationId}
        peerId={peerId}
        groupId={groupId}
        members={members}
        canMentionAll={admin}
        onSent={() => {
          stick.current = true;
        }}
      />
    </div>
  );
}

/** A message with its reply count as far as we know it (the server's, or the replies held since). */
export function withReplies(message: MessageView, held: number): MessageView {
  return held > (message.replyCount ?? 0) ? { ...message, replyCount: held } : message;
}

interface ComposerProps {
  conversationId: string;
  /** In a thread: every message sent answers this one. */
  replyTo?: string;
  peerId: string | null;
  groupId: string | null;
  members: GroupMemberView[];
  canMentionAll: boolean;
  onSent: () => void;
}

export function Composer({
  conversationId,
  replyTo,
  peerId,
  groupId,
  members,
  canMentionAll,
  onSent,
}: ComposerProps) {
  const client = state.client!;
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<Map<string, string>>(new Map());
  const [query, setQuery] = useState<string | null>(null);
  const [highlight, setHighlight] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);

  const candidates =
    query === null
      ? []
      : [
          ...(canMentionAll && 'all'.startsWith(query.toLowerCase()) ? [{ id: '*', name: 'all' }] : []),
          ...members
            .filter(
              (m) =>
                m.userId !== state.me?.id && m.user.nickname.toLowerCase().startsWith(query.toLowerCase()),
            )
            .map((m) => ({ id: m.userId, name: m.user.nickname })),
        ].slice(0, 6);

  const onInput = (value: string, caret: number) => {
    setText(value);
    client.typing(conversationId);
    if (!groupId) return;
    const before = value.slice(0, caret);
    const match = /(^|\s)@([^\s@]*)$/.exec(before);
    setQuery(match ? (match[2] ?? '') : null);
    setHighlight(0);
  };

  const choose = (candidate: { id: string; name: string }) => {
    const el = input.current!;
    const current = el.value;
    const caret = el.selectionStart ?? current.length;
    const before = current.slice(0, caret).replace(/@([^\s@]*)$/, `@${candidate.name} `);
    const next = before + current.slice(caret);
    // The textarea takes the completion and its caret now, in this event: a caret placed on a
    // later frame would land after keys typed meanwhile and split what the person types next.
    el.value = next;
    el.focus();
    el.setSelectionRange(before.length, before.length);
    setText(next);
    setPicked(new Map(picked).set(candidate.id, candidate.name));
    setQuery(null);
  };

  const send = () => {
    const content = text.trim();
    if (!content) return;
    client.stopTyping(conversationId);
    if (groupId) {
      const mentions = [...picked].filter(([id, name]) => id !== '*' && content.includes(`@${name}`));
      const mentionAll = picked.has('*') && content.includes('@all');
      client.send({
        groupId,
        content,
        ...(mentions.length > 0 && { mentions: mentions.map(([id]) => id) }),
        ...(mentionAll && { mentionAll: true }),
        ...(replyTo && { replyTo }),
      });
    } else if (peerId) client.send({ to: peerId, content, ...(replyTo && { replyTo }) });
    setText('');
    setPicked(new Map());
    setQuery(null);
    onSent();
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {candidates.length > 0 && (
        <div class="mentions" role="listbox" aria-label="Mention someone">
          {candidates.map((c, i) => (
            <div
              role="option"
              tabIndex={-1}
              aria-selected={i === highlight}
              class={i === highlight ? 'active' : ''}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(c);
              }}
            >
              @{c.name}
            </div>
          ))}
        </div>
      )}
      <textarea
        ref={input}
        name="message"
        aria-label={replyTo ? 'Reply' : 'Message'}
        placeholder={replyTo ? 'Reply in the thread' : groupId ? 'Message (type @ to mention)' : 'Message'}
        rows={1}
        value={text}
        onInput={(e) => onInput(e.currentTarget.value, e.currentTarget.selectionStart ?? 0)}
        onBlur={() => client.stopTyping(conversationId)}
        onKeyDown={(event) => {
          if (candidates.length > 0) {
            if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
              event.preventDefault();
              const step = event.key === 'ArrowDown' ? 1 : candidates.length - 1;
              setHighlight((highlight + step) % candidates.length);
              return;
            }
            if (event.key === 'Enter' || event.key === 'Tab') {
              event.preventDefault();
              choose(candidates[highlight] ?? candidates[0]!);
              return;
            }
            if (event.key === 'Escape') {
              setQuery(null);
              return;
            }
          }
          if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" class="primary" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}

/** Opens the private chat with a friend. */
export function openPrivateChat(userId: string): void {
  const client = state.client;
  if (!client) return;
  void attempt(async () => navigate({ name: 'chat', conversationId: client.conversationWith(userId) }));
}
