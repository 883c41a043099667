/** `/invite/:token`: who or which group invites, and accepting it (signed in). */
import type { PublicUser } from '@parley/client';
import { useEffect, useState } from 'preact/hooks';
import { plainWords } from '../errors.js';
import {
  attempt,
  navigate,
  refreshFriends,
  refreshGroups,
  refreshRequests,
  state,
  useApp,
} from '../state.js';

type Invite = {
  kind: 'user' | 'group';
  user?: PublicUser;
  group?: { id: string; name: string; memberCount: number };
};

export function InviteScreen({ token }: { token: string }) {
  const app = useApp();
  const client = app.client!;
  const [invite, setInvite] = useState<Invite | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.rest.invites.get(token).then(setInvite, (failure) => setError(plainWords(failure)));
  }, [token]);

  if (error)
    return (
      <div class="card invite" role="alert">
        <h2>Invitation</h2>
        <p class="error">{error}</p>
        <button type="button" onClick={() => navigate({ name: 'chats' })}>
          Go to my chats
        </button>
      </div>
    );
  if (!invite) return <p class="empty">Opening the invitation…</p>;
  const self = invite.kind === 'user' && invite.user?.id === app.me?.id;
  return (
    <section class="card invite" aria-label="Invitation">
      <h2>Invitation</h2>
      {invite.kind === 'user' ? (
        <p class="invite-who">
          <strong>{invite.user?.nickname}</strong> invites you to be friends on Parley.
        </p>
      ) : (
        <p class="invite-who">
          You are invited to join the group <strong>{invite.group?.name}</strong> ({invite.group?.memberCount}{' '}
          members).
        </p>
      )}
      {self ? (
        <p class="note">This is your own code: share it with friends.</p>
      ) : (
        <button
          type="button"
          class="primary"
          onClick={() =>
            attempt(
              async () => {
                const result = await client.rest.invites.redeem(token);
                if (result.kind === 'group') {
                  state.groups.set(result.group.id, result.group);
                  await refreshGroups();
                  await client.resync();
                  navigate({ name: 'chat', conversationId: client.groupConversation(result.group.id) });
                } else {
                  await Promise.all([refreshFriends(), refreshRequests()]);
                  if (result.friend)
                    navigate({
                      name: 'chat',
                      conversationId: client.conversationWith(result.friend.user.id),
                    });
                  else navigate({ name: 'people' });
                }
              },
              invite.kind === 'user'
                ? `Friend request sent to ${invite.user?.nickname}.`
                : `You joined ${invite.group?.name}.`,
            )
          }
        >
          {invite.kind === 'user' ? `Send ${invite.user?.nickname} a friend request` : 'Join the group'}
        </button>
      )}
      <button type="button" onClick={() => navigate({ name: 'chats' })}>
        Not now
      </button>
    </section>
  );
}
