/**
 * The conversations, newest first, with unread and mention badges; join a group by its link;
 * search every conversation's messages (results newest first; one opens its conversation).
 */
import { inviteTokenFromUrl, type MessageView } from '@parley/client';
import { useState } from 'preact/hooks';
import { attempt, conversationName, nameOf, navigate, peerOf, presenceOf, state, useApp } from '../state.js';

interface SearchResults {
  q: string;
  messages: MessageView[];
  nextCursor: string | null;
}

function MessageSearch() {
  const client = state.client!;
  const [q, setQ] = useState('');
  const [results, setResults] = useState<SearchResults | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (query: string, cursor?: string) => {
    setBusy(true);
    await attempt(async () => {
      const page = await client.rest.messages.search(query, { limit: 20, ...(cursor && { cursor }) });
      setResults({
        q: query,
        messages: cursor && results ? [...results.messages, ...page.messages] : page.messages,
        nextCursor: page.hasMore ? (page.nextCursor ?? null) : null,
      });
    });
    setBusy(false);
  };

  return (
    <div class="search">
      <form
        aria-label="Search"
        onSubmit={(event) => {
          event.preventDefault();
          const query = q.trim();
          if (query) void run(query);
          else setResults(null);
        }}
      >
        <input
          type="search"
          aria-label="Search messages"
          placeholder="Search messages"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              setQ('');
              setResults(null);
            }
          }}
        />
        <button type="submit" disabled={busy}>
          Search
        </button>
      </form>
      {results && (
        <section aria-label="Search results">
          <div class="row-actions">
            <span>
              {results.messages.length === 0
                ? `Nothing found for “${results.q}”.`
                : `Results for “${results.q}”, newest first`}
            </span>
            <button
              type="button"
              class="link"
              onClick={() => {
                setQ('');
                setResults(null);
              }}
            >
              Clear
            </button>
          </div>
          <ul class="results">
            {results.messages.map((m) => (
              <li>
                <button
                  type="button"
                  class="result"
                  data-message-id={m.id}
                  onClick={() => navigate({ name: 'chat', conversationId: m.conversationId })}
                >
                  <span class="name">
                    {conversationName(m.conversationId)} · {nameOf(m.senderId)}
                  </span>
                  <span class="preview">{m.content}</span>
                  <time dateTime={m.createdAt}>
                    {new Date(m.createdAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}
                  </time>
                </button>
              </li>
            ))}
          </ul>
          {results.nextCursor && (
            <button
              type="button"
              class="link"
              disabled={busy}
              onClick={() => void run(results.q, results.nextCursor ?? undefined)}
            >
              More results
            </button>
          )}
        </section>
      )}
    </div>
  );
}

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
      <MessageSearch />
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
