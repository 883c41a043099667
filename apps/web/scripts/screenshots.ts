/**
 * Writes screenshots of Parley Web's main screens to docs/images/: a host in memory on a loopback
 * port (one that offers Web Push, to a sender that sends nothing), people (Alice, Bob, Carol, Dave)
 * set up through the API, then the screens in Chromium at phone width and one at desktop width.
 * After the first screens, the weekend group gets an edited message, reactions, a pin and a
 * thread, and a few messages in Chinese: the chat with those changes, a search in Chinese and
 * Settings with two signed-in devices.
 *
 * The Chinese text and the emoji need fonts that draw them (Debian: fonts-noto-cjk and
 * fonts-noto-color-emoji); without them the script stops rather than write boxes into the images.
 *
 *   npx -y pnpm@10 --filter @parley/web screenshots
 */
import { execFileSync } from 'node:child_process';
import { createECDH } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PushSender } from '@parley/chat-core';
import { createParleyRest, type FetchLike } from '@parley/client';
import type { Page } from 'playwright-core';
import { ensureBuilt, launchChromium, startWebHost, verificationCode } from '../test/harness.js';

const out = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
mkdirSync(out, { recursive: true });

/** Whether fontconfig has a font for `pattern` (e.g. `:lang=zh`), when fc-list can tell. */
const hasFont = (pattern: string): boolean => {
  try {
    return execFileSync('fc-list', [pattern, 'family'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return true; // no fc-list: nothing to tell by
  }
};
const missingFonts = [
  !hasFont(':lang=zh') && 'fonts-noto-cjk (Chinese)',
  !hasFont(':charset=1f44d') && 'fonts-noto-color-emoji (emoji)',
].filter(Boolean);
if (missingFonts.length > 0)
  throw new Error(`no font for the screenshots' text: apt-get install -y ${missingFonts.join(' ')}`);

/** Browsers as people have them: the devices in Settings are named from these. */
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const WINDOWS_FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** Push is offered (Settings shows "Turn on notifications"); nothing is sent anywhere. */
const pushSender: PushSender = {
  publicKey: Buffer.from(createECDH('prime256v1').generateKeys()).toString('base64url'),
  send: async () => ({ kind: 'sent' }),
};

ensureBuilt();
const web = await startWebHost({ pushSender });
const browser = await launchChromium();
/** Console errors and page errors of every page: any one fails the run. */
const errors: string[] = [];
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

  const watch = (page: Page): Page => {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    return page;
  };
  const open = async (who: typeof alice, width: number, height: number): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 2 });
    // Signed in as `who` from the first load, as a reload after signing in would be.
    await context.addInitScript({
      content: `localStorage.setItem('parley:token', ${JSON.stringify(who.token)});
        localStorage.setItem('parley:user', ${JSON.stringify(JSON.stringify(who.user))});`,
    });
    const page = watch(await context.newPage());
    await page.goto(web.url);
    await page.locator('[data-connection="online"]').waitFor({ state: 'attached' });
    return page;
  };
  /** A screenshot of the page as it is, refused while it shows a notice (an error, a confirmation). */
  const shot = async (page: Page, name: string) => {
    const notice = await page.locator('.notice').allTextContents();
    if (notice.length > 0) throw new Error(`${name}: the page shows a notice: ${notice.join(' / ')}`);
    if (errors.length > 0) throw new Error(`${name}: errors in the browser:\n${errors.join('\n')}`);
    await page.screenshot({ path: `${out}${name}.png` });
  };

  // Signed out.
  const context = await browser.newContext({ viewport: { width: 390, height: 760 }, deviceScaleFactor: 2 });
  const signIn = watch(await context.newPage());
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
  await desktop.context().close();
  await phone.context().close();

  // The weekend group goes on: Carol writes in Chinese (here and to Alice), Bob corrects his
  // offer, Alice posts the route and pins it; it gets reactions and a thread.
  await carol.api.messages.sendGroup(group.id, { content: '天气预报：周六晴天，山上有风，记得带外套。' });
  const lift = (await bob.api.messages.sendGroup(group.id, { content: 'I can drive 3 people.' })).message;
  await bob.api.messages.edit(lift.id, 'I can drive 4 people, from the station at 9:30.');
  await alice.api.messages.react(lift.id, '👍');
  const route = (
    await alice.api.messages.sendGroup(group.id, {
      content: 'Route: north ridge trail, 12 km, back by 4pm.',
    })
  ).message;
  await alice.api.conversations.pin(route.conversationId, route.id);
  await bob.api.messages.react(route.id, '👍');
  await carol.api.messages.react(route.id, '👍');
  await carol.api.messages.react(route.id, '❤️');
  await carol.api.messages.sendGroup(group.id, {
    content: 'Is the ridge muddy after the rain?',
    replyTo: route.id,
  });
  await bob.api.messages.sendGroup(group.id, { content: 'It was dry last weekend.', replyTo: route.id });
  await carol.api.messages.sendPrivate(alice.user.id, { content: '周六的路线图我发到群里了 🗺️' });
  await alice.api.messages.sendPrivate(carol.user.id, { content: '谢谢！周六见 😊' });

  const chat = await open(alice, 390, 760);
  await chat
    .getByRole('list', { name: 'Chats' })
    .getByRole('button', { name: /^Weekend hike/ })
    .click();
  const messages = chat.getByRole('list', { name: 'Messages' });
  await messages.getByText('记得带外套').waitFor();
  await messages.getByText('edited', { exact: true }).waitFor();
  await messages.getByRole('button', { name: '2 replies' }).waitFor();
  await messages.getByRole('button', { name: 'thumbs up: 2', exact: true }).waitFor();
  await chat.getByRole('button', { name: 'Pinned', exact: true }).click();
  await chat.getByRole('region', { name: 'Pinned messages' }).getByText('north ridge trail').waitFor();
  await shot(chat, 'web-chat-changes');
  await messages.getByRole('button', { name: '2 replies' }).click();
  await chat.getByRole('list', { name: 'Thread' }).getByText('It was dry last weekend.').waitFor();
  await shot(chat, 'web-thread');
  await chat.getByRole('button', { name: 'Back to the chat' }).click();
  await chat.getByRole('button', { name: 'Back to chats' }).click();
  const box = chat.getByLabel('Search messages');
  await box.fill('周六');
  await box.press('Enter');
  const results = chat.getByRole('region', { name: 'Search results' });
  await results.getByText('谢谢！周六见').waitFor();
  await results.getByText('天气预报').waitFor();
  await box.blur();
  await shot(chat, 'web-search');
  await chat.context().close();

  // Settings on Alice's phone, signed in there through the app, and on her laptop (Firefox on
  // Windows): two devices. The sessions the script signed in with are ended first.
  await alice.api.auth.logoutAll();
  const laptopFetch: FetchLike = (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), 'user-agent': WINDOWS_FIREFOX },
    });
  await createParleyRest({ url: web.url, fetch: laptopFetch }).auth.login({
    email: alice.user.email,
    password,
  });
  // A taller phone (390×844): the whole screen fits, from the header to Notifications.
  const mobile = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    userAgent: ANDROID_CHROME,
  });
  await mobile.grantPermissions(['notifications'], { origin: web.url });
  const settings = watch(await mobile.newPage());
  await settings.goto(web.url);
  await settings.getByRole('tab', { name: 'Sign in' }).click();
  await settings.getByLabel('Email').fill(alice.user.email);
  await settings.getByLabel('Password').fill(password);
  await settings.getByRole('button', { name: 'Sign in' }).last().click();
  await settings.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Me' }).click();
  await settings.getByRole('button', { name: 'Settings', exact: true }).click();
  const devices = settings.getByRole('list', { name: 'Signed-in devices' });
  await devices.getByText('Firefox on Windows').waitFor();
  await devices
    .getByRole('listitem')
    .filter({ hasText: 'This device' })
    .getByText('Chrome on Android')
    .waitFor();
  await settings.getByRole('button', { name: 'Turn on notifications' }).waitFor();
  await shot(settings, 'web-settings');
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await web.close();
}
