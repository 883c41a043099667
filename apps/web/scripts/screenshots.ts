/**
 * Writes screenshots of Parley Web's main screens to docs/images/: a host in memory on a loopback
 * port, two people (Alice, Bob) set up through the API, then the screens in Chromium at phone
 * width and one at desktop width.
 *
 *   npx -y pnpm@10 --filter @parley/web screenshots
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createParleyRest } from '@parley/client';
import type { Page } from 'playwright-core';
import { ensureBuilt, launchChromium, startWebHost, verificationCode } from '../test/harness.js';

const out = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
mkdirSync(out, { recursive: true });

ensureBuilt();
const web = await startWebHost();
const browser = await launchChromium();
try {
  const rest = createParleyRest({ url: web.url });
  const password = 'correct horse battery';
  const account = async (nickname: string) => {
    const email = `${nickname.toLowerCase()}@example.test`;
    const result = await rest.auth.register({ email, password, nickname });
    await rest.auth.verifyEmail({ email, code: verificationCode(web.mailer, email) });
    return {
      ...result,
      user: { ...result.user, emailVerified: true },
      api: createParleyRest({ url: web.url, token: result.token }),
    };
  };
  const alice = await account('Alice');
  const bob = await account('Bob');
  const carol = await account('Carol');
  for (const friend of [bob, carol]) {
    const { request } = await alice.api.friends.add({ userId: friend.user.id });
    await friend.api.friends.accept(request.id);
  }
  await bob.api.messages.sendPrivate(alice.user.id, { content: 'Hi Alice! Are we still on for Saturday?' });
  await alice.api.messages.sendPrivate(bob.user.id, { content: 'Yes! 10am at the station.' });
  await bob.api.messages.sendPrivate(alice.user.id, { content: 'Great, I will bring the map.' });
  const { group } = await alice.api.groups.create({
    name: 'Weekend hike',
    memberIds: [bob.user.id, carol.user.id],
  });
  await alice.api.groups.setAnnouncement(group.id, 'Meet at 10:00 at the north exit.');
  await carol.api.messages.sendGroup(group.id, { content: 'Count me in!' });
  await carol.api.messages.sendGroup(group.id, {
    content: '@Alice shall I bring snacks?',
    mentions: [alice.user.id],
  });
  const dave = await account('Dave');
  await dave.api.friends.add({ userId: alice.user.id });

  const open = async (who: typeof alice, width: number, height: number): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 2 });
    // Signed in as `who` from the first load, as a reload after signing in would be.
    await context.addInitScript({
      content: `localStorage.setItem('parley:token', ${JSON.stringify(who.token)});
        localStorage.setItem('parley:user', ${JSON.stringify(JSON.stringify(who.user))});`,
    });
    const page = await context.newPage();
    await page.goto(web.url);
    await page.locator('[data-connection="online"]').waitFor({ state: 'attached' });
    return page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: `${out}${name}.png` });

  // Signed out.
  const context = await browser.newContext({ viewport: { width: 390, height: 760 }, deviceScaleFactor: 2 });
  const signIn = await context.newPage();
  await signIn.goto(web.url);
  await signIn.getByRole('tab', { name: 'Create account' }).click();
  await shot(signIn, 'web-sign-up');

  const phone = await open(alice, 390, 760);
  await phone.getByRole('list', { name: 'Chats' }).getByText('Weekend hike').waitFor();
  await shot(phone, 'web-chats');
  await phone.getByRole('list', { name: 'Chats' }).getByRole('button', { name: /^Bob/ }).click();
  await phone.getByRole('list', { name: 'Messages' }).getByText('I will bring the map').waitFor();
  await phone.locator('[data-status="read"]').first().waitFor();
  await shot(phone, 'web-chat');
  await phone.getByRole('button', { name: 'Back to chats' }).click();
  await phone
    .getByRole('list', { name: 'Chats' })
    .getByRole('button', { name: /^Weekend hike/ })
    .click();
  await phone.getByRole('list', { name: 'Messages' }).getByText('shall I bring snacks?').waitFor();
  await shot(phone, 'web-group');
  await phone.getByRole('button', { name: 'Group info' }).click();
  await phone.getByRole('button', { name: "Show the group's QR code" }).click();
  await phone.getByRole('img', { name: /QR code to join/ }).waitFor();
  await shot(phone, 'web-group-info');
  await phone.getByRole('button', { name: 'Back to the chat' }).click();
  await phone.getByRole('button', { name: 'Back to chats' }).click();
  await phone
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /^People/ })
    .click();
  await phone.getByRole('region', { name: 'Friend requests' }).waitFor();
  await shot(phone, 'web-people');
  await phone.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Me' }).click();
  await phone.getByRole('img', { name: /QR code to add/ }).waitFor();
  await shot(phone, 'web-my-qr');

  const desktop = await open(bob, 1200, 720);
  await desktop
    .getByRole('list', { name: 'Chats' })
    .getByRole('button', { name: /^Weekend hike/ })
    .click();
  await desktop.getByRole('list', { name: 'Messages' }).getByText('shall I bring snacks?').waitFor();
  await shot(desktop, 'web-desktop');
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await web.close();
}
