/**
 * What the browser test and the screenshot script share: a host on an ephemeral 127.0.0.1 port
 * with memoryStore and a memory mailer (the verification codes), the app built first, and
 * Debian's Chromium driven by playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type MemoryMailer, memoryMailer, memoryStore, type PushSender } from '@parley/chat-core';
import { createHost, type Host, hostConfig } from '@parley/host-express';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The launch flags, exactly. Playwright gives every launch a fresh temporary user-data-dir. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds apps/web when its dist is missing or stale. */
export function ensureBuilt(): void {
  const script = fileURLToPath(new URL('../scripts/ensure-built.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('apps/web failed to build');
}

export function chromiumMissing(): boolean {
  return !existsSync(CHROMIUM);
}

export interface WebHost {
  host: Host;
  url: string;
  mailer: MemoryMailer;
  close(): Promise<void>;
}

/** A host for the app; with `pushSender`, one that sends Web Push. */
export async function startWebHost(options: { pushSender?: PushSender } = {}): Promise<WebHost> {
  const mailer = memoryMailer();
  const config = hostConfig({
    nodeEnv: 'test',
    host: '127.0.0.1',
    logLevel: 'silent',
    chat: { jwtSecret: 'parley-web-test-secret-0123456789abcdef', bcryptCost: 4, presenceGraceMs: 0 },
  });
  const host = await createHost({
    config,
    store: memoryStore(),
    mailer,
    ...(options.pushSender && { pushSender: options.pushSender }),
  });
  const { url } = await host.listen(0, '127.0.0.1');
  return { host, url, mailer, close: () => host.close() };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** The 6-digit code of the newest email to `email`. */
export function verificationCode(mailer: MemoryMailer, email: string): string {
  const code = /\b(\d{6})\b/.exec(mailer.lastTo(email)?.text ?? '')?.[1];
  if (!code) throw new Error(`no verification code mailed to ${email}`);
  return code;
}

/** Signs in through the app's form. */
export async function signInInApp(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.getByRole('tab', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).last().click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
}

/** Registers through the app's form and verifies the email with the mailed code. */
export async function registerInApp(
  page: Page,
  web: WebHost,
  who: { email: string; nickname: string; password: string },
): Promise<void> {
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Name').fill(who.nickname);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).last().click();
  await page.getByLabel('Verification code').waitFor();
  await page.getByLabel('Verification code').fill(verificationCode(web.mailer, who.email));
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByLabel('Verification code').waitFor({ state: 'detached' });
}
