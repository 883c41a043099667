/** Settings: privacy toggles, the signed-in devices (sign one out, or all), notifications on this browser. */
import type { PrivacySettingsInput, SessionView, UserSettings } from '@parley/client';
import { useEffect, useState } from 'preact/hooks';
import { deviceName } from '../device-name.js';
import { errorCode, plainWords } from '../errors.js';
import { disablePush, enablePush, type PushStatus, pushStatus } from '../push.js';
import { attempt, navigate, notify, saveMe, signOut, useApp } from '../state.js';

type Toggle = keyof PrivacySettingsInput;

const TOGGLES: { key: Toggle; label: string; note: string }[] = [
  { key: 'showOnline', label: 'Show when I am online', note: 'When off, friends see you as offline.' },
  {
    key: 'showLastSeen',
    label: 'Show when I was last online',
    note: 'When off, friends see no "last seen".',
  },
  {
    key: 'sendReadReceipts',
    label: 'Send read receipts',
    note: 'When off, others do not see that you read their messages, and you do not see theirs.',
  },
  {
    key: 'pushPreviews',
    label: 'Show message text in notifications',
    note: 'When off, a notification says only who wrote.',
  },
];

/** Every setting shown, with the defaults for a view cached before settings existed. */
const DEFAULTS: Record<Toggle, boolean> = {
  showOnline: true,
  showLastSeen: true,
  sendReadReceipts: true,
  pushPreviews: true,
};

function when(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  if (ms < 60_000) return 'just now';
  return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

function Privacy() {
  const app = useApp();
  const client = app.client!;
  // A toggle shows its new value at once and goes back should the server refuse it.
  const [pending, setPending] = useState<Partial<Record<Toggle, boolean>>>({});
  const settings: Partial<UserSettings> = { ...app.me?.settings, ...pending };
  const change = async (key: Toggle, value: boolean) => {
    setPending((p) => ({ ...p, [key]: value }));
    await attempt(async () => saveMe((await client.rest.users.updateSettings({ [key]: value })).user));
    setPending(({ [key]: _, ...rest }) => rest);
  };
  return (
    <section aria-label="Privacy">
      <h3>Privacy</h3>
      {TOGGLES.map(({ key, label, note }) => (
        <label class="check setting">
          <input
            type="checkbox"
            name={key}
            checked={settings[key] ?? DEFAULTS[key]}
            disabled={pending[key] !== undefined}
            onChange={(event) => void change(key, event.currentTarget.checked)}
          />
          <span>
            {label}
            <small class="note">{note}</small>
          </span>
        </label>
      ))}
    </section>
  );
}

function Devices() {
  const app = useApp();
  const client = app.client!;
  const [sessions, setSessions] = useState<SessionView[] | null>(null);
  const [confirming, setConfirming] = useState(false);
  const load = () => attempt(async () => setSessions((await client.rest.auth.sessions()).sessions));
  useEffect(() => {
    void load();
  }, []);
  return (
    <section aria-label="Devices">
      <h3>Devices</h3>
      <p class="note">Where you are signed in. Sign out a device you do not recognise.</p>
      {sessions === null ? (
        <p class="empty">Loading…</p>
      ) : (
        <ul class="devices" aria-label="Signed-in devices">
          {sessions.map((session) => {
            const name = deviceName(session.userAgent);
            return (
              <li data-current={session.current ? 'true' : undefined}>
                <div class="who">
                  <span class="name" title={session.userAgent ?? undefined}>
                    {name}
                    {session.current && <span class="role">This device</span>}
                  </span>
                  <small>
                    {session.ip && <span class="ip">{session.ip} · </span>}
                    Signed in {when(session.createdAt)} · Last active {when(session.lastSeenAt)}
                  </small>
                </div>
                {!session.current && (
                  <button
                    type="button"
                    aria-label={`Sign out ${name}`}
                    onClick={() =>
                      void attempt(async () => {
                        await client.rest.auth.revokeSession(session.id);
                        await load();
                      }, `${name} is signed out.`)
                    }
                  >
                    Sign out
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {confirming ? (
        <fieldset class="row-actions confirm">
          <legend>Sign out every device, this one too?</legend>
          <button type="button" class="danger" onClick={() => void signOut({ everywhere: true })}>
            Yes, sign out everywhere
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </fieldset>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </button>
      )}
    </section>
  );
}

const PUSH_WORDS: Record<Exclude<PushStatus, 'on' | 'off'>, string> = {
  'server-off': 'Notifications are not set up on this server.',
  unsupported: 'This browser cannot show notifications from Parley.',
  blocked: 'Notifications are blocked for this site. Allow them in your browser’s site settings.',
};

/** What a failed subscription means here, before the general words. */
const PUSH_FAILURES: Record<string, string> = {
  UNSUPPORTED: 'This browser cannot receive notifications here (private windows cannot).',
  PERMISSION_DENIED: PUSH_WORDS.blocked,
  NETWORK: 'This browser could not reach its push service. Please try again later.',
};

function Notifications() {
  const app = useApp();
  const client = app.client!;
  const userId = app.me!.id;
  const [status, setStatus] = useState<PushStatus | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void pushStatus(client, userId).then(setStatus);
  }, []);
  const run = async (action: () => Promise<void>, done: string) => {
    setBusy(true);
    try {
      await action();
      notify(done);
    } catch (error) {
      notify(PUSH_FAILURES[errorCode(error)] ?? plainWords(error), 'error');
    }
    setStatus(await pushStatus(client, userId));
    setBusy(false);
  };
  return (
    <section aria-label="Notifications">
      <h3>Notifications</h3>
      {status === null && <p class="empty">Checking…</p>}
      {status !== null && status !== 'on' && status !== 'off' && <p class="note">{PUSH_WORDS[status]}</p>}
      {status === 'off' && (
        <>
          <p class="note">Get a notification on this browser when a message comes while Parley is closed.</p>
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() =>
              void run(() => enablePush(client, userId), 'Notifications are on for this browser.')
            }
          >
            Turn on notifications
          </button>
        </>
      )}
      {status === 'on' && (
        <>
          <p class="note">Notifications are on for this browser.</p>
          <button
            type="button"
            disabled={busy}
            onClick={() => void run(() => disablePush(client), 'Notifications are off for this browser.')}
          >
            Turn off notifications
          </button>
        </>
      )}
    </section>
  );
}

export function SettingsScreen() {
  const app = useApp();
  const client = app.client!;
  // The settings as the server has them now (another device may have changed them).
  useEffect(() => {
    void attempt(async () => saveMe((await client.rest.users.me()).user));
  }, []);
  return (
    <div class="settings">
      <header class="chat-head">
        <button type="button" class="back" aria-label="Back to me" onClick={() => navigate({ name: 'me' })}>
          ←
        </button>
        <div class="title">
          <h2>Settings</h2>
        </div>
      </header>
      <Privacy />
      <Devices />
      <Notifications />
    </div>
  );
}
