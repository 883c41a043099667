/** Creating a group; a group's members (kick, mute for admins), announcement and QR code. */
import type { QrCodeView } from '@parley/chat-core';
import { useEffect, useState } from 'preact/hooks';
import { attempt, navigate, refreshGroup, refreshGroups, state, useApp } from '../state.js';
import { QrCard } from './me.js';

export function NewGroup() {
  const app = useApp();
  const client = app.client!;
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  return (
    <form
      class="card new-group"
      aria-label="New group"
      onSubmit={(event) => {
        event.preventDefault();
        void attempt(async () => {
          const { group } = await client.rest.groups.create({ name: name.trim(), memberIds: [...chosen] });
          state.groups.set(group.id, group);
          await refreshGroups();
          navigate({ name: 'chat', conversationId: client.groupConversation(group.id) });
        });
      }}
    >
      <h2>New group</h2>
      <label>
        Group name
        <input
          name="group-name"
          required
          maxLength={64}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <fieldset>
        <legend>Members</legend>
        {app.friends.length === 0 && <p class="empty">Add friends first to invite them.</p>}
        {app.friends.map(({ user }) => (
          <label class="check">
            <input
              type="checkbox"
              checked={chosen.has(user.id)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.currentTarget.checked) next.add(user.id);
                else next.delete(user.id);
                setChosen(next);
              }}
            />
            {user.nickname}
          </label>
        ))}
      </fieldset>
      <button type="submit" class="primary">
        Create group
      </button>
    </form>
  );
}

const MUTE_CHOICES = [
  [600, '10 minutes'],
  [3600, '1 hour'],
  [86_400, '1 day'],
] as const;

export function GroupInfo({ groupId }: { groupId: string }) {
  const app = useApp();
  const client = app.client!;
  const group = app.groups.get(groupId);
  const members = app.members.get(groupId) ?? [];
  const myRole = members.find((m) => m.userId === app.me?.id)?.role ?? group?.myRole;
  const admin = myRole === 'owner' || myRole === 'admin';
  const [announcement, setAnnouncement] = useState(group?.announcement?.text ?? '');
  const [qr, setQr] = useState<QrCodeView | null>(null);
  const [muteFor, setMuteFor] = useState<number>(600);
  useEffect(() => {
    void refreshGroup(groupId);
  }, [groupId]);
  useEffect(() => setAnnouncement(group?.announcement?.text ?? ''), [group?.announcement?.text]);
  const rank = (role: string) => (role === 'owner' ? 2 : role === 'admin' ? 1 : 0);
  const back = () => navigate({ name: 'chat', conversationId: client.groupConversation(groupId) });

  if (!group) return <p class="empty">Loading the group…</p>;
  return (
    <div class="group-info">
      <header class="chat-head">
        <button type="button" class="back" aria-label="Back to the chat" onClick={back}>
          ←
        </button>
        <div class="title">
          <h2>{group.name}</h2>
          <span class="subtitle">{group.memberCount} members</span>
        </div>
      </header>
      <section aria-label="Announcement">
        <h3>Announcement</h3>
        {admin ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void attempt(async () => {
                await client.rest.groups.setAnnouncement(groupId, announcement.trim());
                await refreshGroup(groupId);
              }, 'Announcement saved.');
            }}
          >
            <textarea
              name="announcement"
              aria-label="Announcement"
              value={announcement}
              onInput={(e) => setAnnouncement(e.currentTarget.value)}
            />
            <button type="submit">Save announcement</button>
          </form>
        ) : (
          <p>{group.announcement?.text ?? 'None.'}</p>
        )}
      </section>
      <section aria-label="Members">
        <h3>Members</h3>
        {admin && (
          <label class="inline">
            Mute for{' '}
            <select value={muteFor} onChange={(e) => setMuteFor(Number(e.currentTarget.value))}>
              {MUTE_CHOICES.map(([seconds, label]) => (
                <option value={seconds}>{label}</option>
              ))}
            </select>
          </label>
        )}
        <ul class="people-list">
          {members.map((member) => {
            const muted = member.mutedUntil !== null && new Date(member.mutedUntil) > new Date();
            const canManage = admin && member.userId !== app.me?.id && rank(myRole ?? '') > rank(member.role);
            return (
              <li data-member={member.userId}>
                <span class="name">{member.userId === app.me?.id ? 'You' : member.user.nickname}</span>
                {member.role !== 'member' && <span class="role">{member.role}</span>}
                {muted && <span class="role">muted</span>}
                {canManage && (
                  <>
                    <button
                      type="button"
                      onClick={() =>
                        attempt(async () => {
                          if (muted) await client.rest.groups.unmute(groupId, member.userId);
                          else await client.rest.groups.mute(groupId, member.userId, muteFor);
                          await refreshGroup(groupId);
                        })
                      }
                    >
                      {muted ? 'Unmute' : 'Mute'}
                    </button>
                    <button
                      type="button"
                      class="danger"
                      onClick={() =>
                        attempt(async () => {
                          await client.rest.groups.kick(groupId, member.userId);
                          await refreshGroup(groupId);
                        }, `${member.user.nickname} was removed.`)
                      }
                    >
                      Remove
                    </button>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      </section>
      {admin && (
        <section aria-label="Group QR code">
          <h3>Invite with a QR code</h3>
          {qr ? (
            <QrCard qr={qr} label={`QR code to join ${group.name}`} />
          ) : (
            <button
              type="button"
              onClick={() => attempt(async () => setQr(await client.rest.groups.qrCode(groupId, 'png')))}
            >
              Show the group's QR code
            </button>
          )}
        </section>
      )}
      {myRole !== 'owner' && (
        <button
          type="button"
          class="danger"
          onClick={() =>
            attempt(async () => {
              await client.rest.groups.leave(groupId);
              state.groups.delete(groupId);
              navigate({ name: 'chats' });
            }, `You left ${group.name}.`)
          }
        >
          Leave group
        </button>
      )}
    </div>
  );
}
