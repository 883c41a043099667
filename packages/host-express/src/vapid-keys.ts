#!/usr/bin/env node
/**
 * `pnpm vapid-keys`: prints a fresh VAPID key pair as the environment lines Parley reads, for
 * Web Push. Keep the private key secret; changing the pair makes every browser subscribe again.
 */
import webpush from 'web-push';

const { publicKey, privateKey } = webpush.generateVAPIDKeys();
process.stdout.write(
  [
    '# Web Push (VAPID) keys for Parley: add these to the environment (.env, Render, …)',
    `VAPID_PUBLIC_KEY=${publicKey}`,
    `VAPID_PRIVATE_KEY=${privateKey}`,
    '# A contact for the push services: mailto:you@example.com or https://your.site',
    'VAPID_SUBJECT=mailto:admin@example.com',
    '',
  ].join('\n'),
);
