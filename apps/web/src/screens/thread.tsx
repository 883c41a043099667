/** A thread: one message and its replies (`replyTo` = it), ascending, with a composer that replies. */
import type { MessageView } from '@parley/client';
import { useEffect, useState } from 'preact/hooks';
import { MessageItem, PendingItem } from '../components/message-item.js';
import { attempt, conversationName, navigate, peerOf, useApp } from '../state.js';
import { Composer } from './chat.js';

export function ThreadScreen({ conversationId, messageId }: { conversationId: string; messageId: string }) {
  const app = useApp();
  const client = app.client!;
  const groupId = conversationId.startsWith('g:') ? conversationId.slice(2) : null;
  const members = groupId ? (app.members.get(groupId) ?? []) : [];
  const myRole = members.find((m) => m.userId === app.me?.id)?.role ?? app.groups.get(groupId ?? '')?.myRole;
  const admin = myRole === 'owner' || myRole === 'admin';
  const [loaded, setLoaded] = useState<MessageView[]>([]);

  useEffect(() => {
    void attempt(async () =>
      setLoaded((await client.rest.messages.thread(messageId, { limit: 100 })).messages),
    );
  }, [messageId]);

  const held = client.messages(conversationId);
  const root = held.find((m) => m.id === messageId);
  // The replies the server gave, overlaid with the held copies (which follow live changes).
  const byId = new Map(loaded.map((m) => [m.id, m]));
  for (const m of held) if (m.replyTo === messageId) byId.set(m.id, m);
  const replies = [...byId.values()].filter((m) => !app.hidden.has(m.id)).sort((a, b) => a.seq - b.seq);
  const pending = client.pending(conversationId).filter((entry) => entry.replyTo === messageId);
  const back = () => navigate({ name: 'chat', conversationId });

  return (
    <div class="chat thread">
      <header class="chat-head">
        <button type="button" class="back" aria-label="Back to the chat" onClick={back}>
          ←
        </button>
        <div class="title">
          <h2>Thread</h2>
          <span class="subtitle">in {conversationName(conversationId)}</span>
        </div>
      </header>
      <ol class="messages" aria-label="Thread">
        {root ? (
          <MessageItem
            context={{ message: root, mine: root.senderId === app.me?.id, admin, inThread: true }}
            showSender={true}
          />
        ) : (
          <li class="older">Loading…</li>
        )}
        <li class="older">
          {replies.length === 0
            ? 'No replies yet.'
            : replies.length === 1
              ? '1 reply'
              : `${replies.length} replies`}
        </li>
        {replies.map((message) => (
          <MessageItem
            key={message.id}
            context={{ message, mine: message.senderId === app.me?.id, admin, inThread: true }}
            showSender={true}
          />
        ))}
        {pending.map((entry) => (
          <PendingItem key={entry.clientMsgId} entry={entry} />
        ))}
      </ol>
      <Composer
        conversationId={conversationId}
        replyTo={messageId}
        peerId={groupId ? null : peerOf(conversationId)}
        groupId={groupId}
        members={members}
        canMentionAll={admin}
        onSent={() => {}}
      />
    </div>
  );
}
