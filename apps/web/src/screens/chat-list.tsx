/** The conversations, newest first, with unread and mention badges; join a group by its link. */
import { inviteTokenFromUrl } from '@parley/client';
import { useState } from 'preact/hooks';
import { conversationName, navigate, peerOf, presenceOf, state, useApp } from '../state.js';

export function ChatList() {
  const app = useApp();
  const client = app.client!;
  const [link, setLink] = useState('');
  const conversations = client.conversations().filter((c) => {
    // A group I left or was removed from stays out of the list.
    return c.type === 'private' || !c.groupId || app.groups.has(c.groupId) || app.groups.size === 0;
  });
  // Groups with no message yet still get a row.
  const listed = new Set(conversations.map((c) => c.id));
  const silentGroups = [...app.groups.values()].filter((g) => !listed.has(client.groupConversation(g.id)));

  return (
    <div class="list">
      <div class="row-actions">
        <button type="button" onClick={() => navigate({ name: 'new-group' })}>
          New group
        </button>
      </div>
      <form
        class="join-link"
        onSubmit={(event) => {
          event.preventDefault();
          const token = inviteTokenFromUrl(link) ?? link.trim();
          if (token) navigate({ name: 'invite', token });
          setLink('');
        }}
      >
        <input
          aria-label="Invite link"
          placeholder="Paste an invite link"
          value={link}
          onInput={(e) => setLink(e.currentTarget.value)}
        />
        <button type="submit">Open</button>
      </form>
      <ul class="conversations" aria-label="Chats">
        {conversations.length === 0 && silentGroups.length === 0 && (
          <li class="empty">No chats yet. Add a friend in People to start one.</li>
        )}
        {conversations.map((c) => {
          const name = conversationName(c.id);
          const last = c.lastMessage;
          const mentioned = state.mentioned.has(c.id);
          const peer = c.type === 'private' ? (c.peerId ?? peerOf(c.id)) : null;
          const online = peer ? presenceOf(peer)?.status === 'online' : false;
          const preview = c.typing.length
            ? 'typing…'
            : last
              ? last.recalled
                ? 'Message recalled'
                : last.contentType === 'system'
                  ? last.content
                  : `${last.senderId === app.me?.id ? 'You: ' : ''}${last.content}`
              : '';
          return (
            <li>
              <button
                type="button"
                class="conversation"
                data-conversation={c.id}
                aria-label={`${name}${c.unreadCount ? `, ${c.unreadCount} unread` : ''}${mentioned ? ', mentioned you' : ''}`}
                onClick={() => navigate({ name: 'chat', conversationId: c.id })}
              >
                <span class={online ? 'avatar online' : 'avatar'} aria-hidden="true">
                  {c.type === 'group' ? '#' : name.slice(0, 1).toUpperCase()}
                </span>
                <span class="who">
                  <span class="name">{name}</span>
                  <span class="preview">{preview}</span>
                </span>
                {mentioned && <span class="badge mention">@</span>}
                {c.unreadCount > 0 && (
                  <span class="badge unread" data-unread={c.unreadCount}>
                    {c.unreadCount}
                  </span>
                )}
              </button>
            </li>
          );
        })}
        {silentGroups.map((g) => (
          <li>
            <button
              type="button"
              class="conversation"
              data-conversation={client.groupConversation(g.id)}
              onClick={() => navigate({ name: 'chat', conversationId: client.groupConversation(g.id) })}
            >
              <span class="avatar" aria-hidden="true">
                #
              </span>
              <span class="who">
                <span class="name">{g.name}</span>
                <span class="preview">{g.memberCount} members</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
