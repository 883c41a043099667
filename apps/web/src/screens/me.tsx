/** My profile, my friend QR code and link, the way to Settings, signing out. */
import type { QrCodeView } from '@parley/chat-core';
import { useEffect, useState } from 'preact/hooks';
import { attempt, navigate, signOut, useApp } from '../state.js';

export function QrCard({ qr, label }: { qr: QrCodeView; label: string }) {
  const [copied, setCopied] = useState(false);
  const src = qr.image.startsWith('data:')
    ? qr.image
    : `data:image/svg+xml;utf8,${encodeURIComponent(qr.image)}`;
  return (
    <figure class="qr">
      <img src={src} alt={label} width={200} height={200} />
      <figcaption>
        <a href={qr.url} class="invite-link" data-invite-url={qr.url}>
          {qr.url}
        </a>
        <button
          type="button"
          onClick={() =>
            navigator.clipboard?.writeText(qr.url).then(
              () => setCopied(true),
              () => {},
            )
          }
        >
          {copied ? 'Copied' : 'Copy link'}
        </button>
        {qr.expiresAt && <small>Valid until {new Date(qr.expiresAt).toLocaleDateString()}</small>}
      </figcaption>
    </figure>
  );
}

export function MeScreen() {
  const app = useApp();
  const client = app.client!;
  const [qr, setQr] = useState<QrCodeView | null>(null);
  useEffect(() => {
    void attempt(async () => setQr(await client.rest.users.qrCode('png')));
  }, []);
  return (
    <div class="list me">
      <h3>{app.me?.nickname}</h3>
      <p class="note">{app.me?.email}</p>
      <section aria-label="My QR code">
        <h3>My QR code</h3>
        <p class="note">Friends scan it, or open the link, to send you a friend request.</p>
        {qr && <QrCard qr={qr} label={`QR code to add ${app.me?.nickname} as a friend`} />}
        <button
          type="button"
          onClick={() =>
            attempt(
              async () => setQr(await client.rest.users.rotateQrCode('png')),
              'A new code: the old one no longer works.',
            )
          }
        >
          Make a new code
        </button>
      </section>
      <button
        type="button"
        aria-current={app.view.name === 'settings' ? 'page' : undefined}
        onClick={() => navigate({ name: 'settings' })}
      >
        Settings
      </button>
      <button type="button" class="danger" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}
