/** Friends with presence, friend requests, finding people, the blocked list. */
import type { PublicUser } from '@parley/client';
import { useState } from 'preact/hooks';
import {
  attempt,
  presenceOf,
  refreshBlocked,
  refreshFriends,
  refreshRequests,
  rememberUsers,
  useApp,
} from '../state.js';
import { openPrivateChat } from './chat.js';

export function PeopleScreen() {
  const app = useApp();
  const client = app.client!;
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<PublicUser[] | null>(null);
  const friendIds = new Set(app.friends.map((f) => f.user.id));
  const pendingIds = new Set(app.outgoing.map((r) => r.toId));

  const block = (user: PublicUser) =>
    attempt(async () => {
      await client.rest.blacklist.add(user.id);
      await Promise.all([refreshBlocked(), refreshFriends(), refreshRequests()]);
    }, `${user.nickname} is blocked.`);

  return (
    <div class="list people">
      <form
        class="search"
        onSubmit={(event) => {
          event.preventDefault();
          if (!query.trim()) return;
          void attempt(async () => {
            const { users } = await client.rest.users.search(query.trim());
            rememberUsers(users);
            setResults(users.filter((u) => u.id !== app.me?.id));
          });
        }}
      >
        <input
          aria-label="Find people by name or email"
          placeholder="Find people by name or email"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      {results && (
        <section aria-label="Search results">
          <h3>Results</h3>
          {results.length === 0 && <p class="empty">Nobody found.</p>}
          <ul class="people-list">
            {results.map((user) => (
              <li>
                <span class="name">{user.nickname}</span>
                {friendIds.has(user.id) ? (
                  <button type="button" onClick={() => openPrivateChat(user.id)}>
                    Message
                  </button>
                ) : (
                  <button
                    type="button"
                    disabled={pendingIds.has(user.id)}
                    onClick={() =>
                      attempt(async () => {
                        await client.rest.friends.add({ userId: user.id });
                        await Promise.all([refreshRequests(), refreshFriends()]);
                      }, `Friend request sent to ${user.nickname}.`)
                    }
                  >
                    {pendingIds.has(user.id) ? 'Requested' : 'Add friend'}
                  </button>
                )}
                <button type="button" class="danger" onClick={() => block(user)}>
                  Block
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {app.incoming.length > 0 && (
        <section aria-label="Friend requests">
          <h3>Friend requests</h3>
          <ul class="people-list">
            {app.incoming.map((request) => (
              <li data-request={request.id}>
                <span class="name">{request.from.nickname}</span>
                {request.message && <span class="note">“{request.message}”</span>}
                <button
                  type="button"
                  class="primary"
                  onClick={() =>
                    attempt(async () => {
                      await client.rest.friends.accept(request.id);
                      await Promise.all([refreshRequests(), refreshFriends()]);
                    }, `You and ${request.from.nickname} are friends now.`)
                  }
                >
                  Accept
                </button>
                <button
                  type="button"
                  onClick={() =>
                    attempt(async () => {
                      await client.rest.friends.reject(request.id);
                      await refreshRequests();
                    })
                  }
                >
                  Reject
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {app.outgoing.length > 0 && (
        <section aria-label="Sent requests">
          <h3>Waiting for an answer</h3>
          <ul class="people-list">
            {app.outgoing.map((request) => (
              <li>
                <span class="name">{request.to.nickname}</span>
                <span class="note">request sent</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-label="Friends">
        <h3>Friends</h3>
        {app.friends.length === 0 && (
          <p class="empty">No friends yet. Search above, or share your QR code (Me).</p>
        )}
        <ul class="people-list">
          {app.friends.map(({ user }) => {
            const online = presenceOf(user.id)?.status === 'online';
            return (
              <li data-friend={user.id}>
                <span
                  class={online ? 'dot online' : 'dot'}
                  role="img"
                  aria-label={online ? 'online' : 'offline'}
                />
                <span class="name">{user.nickname}</span>
                <button type="button" class="primary" onClick={() => openPrivateChat(user.id)}>
                  Message
                </button>
                <button type="button" class="danger" onClick={() => block(user)}>
                  Block
                </button>
              </li>
            );
          })}
        </ul>
      </section>
      {app.blocked.length > 0 && (
        <section aria-label="Blocked">
          <h3>Blocked</h3>
          <ul class="people-list">
            {app.blocked.map((user) => (
              <li>
                <span class="name">{user.nickname}</span>
                <button
                  type="button"
                  onClick={() =>
                    attempt(async () => {
                      await client.rest.blacklist.remove(user.id);
                      await refreshBlocked();
                    }, `${user.nickname} is unblocked.`)
                  }
                >
                  Unblock
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
