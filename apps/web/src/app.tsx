/** The shell: signed out → the account screen; signed in → the list pane and the main pane. */
import { useEffect } from 'preact/hooks';
import { AuthScreen, VerifyBanner } from './screens/auth.js';
import { ChatScreen } from './screens/chat.js';
import { ChatList } from './screens/chat-list.js';
import { GroupInfo, NewGroup } from './screens/groups.js';
import { InviteScreen } from './screens/invite.js';
import { MeScreen } from './screens/me.js';
import { PeopleScreen } from './screens/people.js';
import { SettingsScreen } from './screens/settings.js';
import { ThreadScreen } from './screens/thread.js';
import { changed, navigate, useApp } from './state.js';

const CONNECTION_WORDS: Record<string, string> = {
  connecting: 'Connecting…',
  resuming: 'Catching up…',
  offline: 'Offline: messages will be sent when you are back',
  idle: 'Connecting…',
};

export function App() {
  const app = useApp();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && app.notice) {
        app.notice = null;
        changed();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  const notice = app.notice && (
    <div class={`notice ${app.notice.kind}`} role={app.notice.kind === 'error' ? 'alert' : 'status'}>
      <span>{app.notice.text}</span>
      <button
        type="button"
        aria-label="Dismiss"
        onClick={() => {
          app.notice = null;
          changed();
        }}
      >
        ×
      </button>
    </div>
  );

  if (!app.token || !app.me || !app.client) {
    const intro =
      app.view.name === 'invite' ? 'Sign in or create an account to see your invitation.' : undefined;
    // Signed out by the server (another device, a password change): the notice says why.
    return (
      <>
        {notice}
        <AuthScreen {...(intro && { intro })} />
      </>
    );
  }

  const { view, client, me } = app;
  const connection = CONNECTION_WORDS[client.state];
  const tab =
    view.name === 'people' ? 'people' : view.name === 'me' || view.name === 'settings' ? 'me' : 'chats';
  const inDetail = !['chats', 'people', 'me'].includes(view.name);

  return (
    <div class={inDetail ? 'shell detail' : 'shell'}>
      <header class="top">
        <span class="brand">Parley</span>
        <span class="status" role="status" data-connection={client.state}>
          {connection ?? ''}
        </span>
      </header>
      {!me.emailVerified && (
        <VerifyBanner
          email={me.email}
          onVerified={() => {
            me.emailVerified = true;
            localStorage.setItem('parley:user', JSON.stringify(me));
            changed();
          }}
        />
      )}
      {notice}
      <div class="panes">
        <aside class="side">
          <nav class="tabs" aria-label="Sections">
            {(
              [
                ['chats', 'Chats'],
                ['people', 'People'],
                ['me', 'Me'],
              ] as const
            ).map(([name, label]) => (
              <button
                type="button"
                class={tab === name ? 'tab active' : 'tab'}
                aria-current={tab === name ? 'page' : undefined}
                onClick={() => navigate({ name })}
              >
                {label}
                {name === 'people' && app.incoming.length > 0 && (
                  <span class="badge" title={`${app.incoming.length} friend requests`}>
                    {app.incoming.length}
                  </span>
                )}
              </button>
            ))}
          </nav>
          {tab === 'chats' && <ChatList />}
          {tab === 'people' && <PeopleScreen />}
          {tab === 'me' && <MeScreen />}
        </aside>
        <section class="main">
          {view.name === 'chat' && (
            <ChatScreen key={view.conversationId} conversationId={view.conversationId} />
          )}
          {view.name === 'thread' && (
            <ThreadScreen
              key={view.messageId}
              conversationId={view.conversationId}
              messageId={view.messageId}
            />
          )}
          {view.name === 'group-info' && <GroupInfo key={view.groupId} groupId={view.groupId} />}
          {view.name === 'new-group' && <NewGroup />}
          {view.name === 'settings' && <SettingsScreen />}
          {view.name === 'invite' && <InviteScreen token={view.token} />}
          {!inDetail && <p class="empty">Pick a chat, or find people to talk to.</p>}
        </section>
      </div>
    </div>
  );
}
