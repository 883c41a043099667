/**
 * Parley Web in Debian's Chromium: two people in two browser contexts register and verify, befriend
 * through the QR code's invite link, chat with typing, presence and read ticks, make a group,
 * mention, recall; a reload keeps the session; a dropped network and its return lose nothing; no
 * console errors. Then edit, react, pin, a thread and search, seen live by the other person.
 * Settings: privacy toggles kept by the server, two devices of one account where one signs the
 * other out, sign out everywhere. Notifications against a host that sends Web Push: the service
 * worker registered at /sw.js shows the server's own push payload (delivered through DevTools:
 * no push service is reachable here) and its link opens the chat. Also what the host serves:
 * caching and the Content-Security-Policy.
 */
import { createECDH, randomBytes } from 'node:crypto';
import type { PushNotificationPayload, PushSender } from '@parley/chat-core';
import { createParleyRest } from '@parley/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  chromiumMissing,
  ensureBuilt,
  launchChromium,
  registerInApp,
  signInInApp,
  startWebHost,
  verificationCode,
  type WebHost,
} from './harness.js';

const missing = chromiumMissing();
if (missing && process.env.CI === 'true')
  throw new Error(`Chromium is missing at ${CHROMIUM}: install it with apt-get install -y chromium`);
if (missing)
  console.log(`Parley Web browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** The page's globals, typed for the functions run in it (this file type-checks without the DOM lib). */
interface InPage {
  localStorage: { getItem(key: string): string | null };
  navigator: {
    serviceWorker: {
      ready: Promise<{
        scope: string;
        active: { scriptURL: string } | null;
        getNotifications(): Promise<{ title: string; body: string; tag: string; data: unknown }[]>;
      }>;
    };
  };
}

interface Person {
  context: BrowserContext;
  page: Page;
  email: string;
  nickname: string;
  password: string;
  errors: string[];
}

// Two real browsers on a 2-core machine shared with the rest of the suite: a scenario that times
// out waiting for a live event under load is run again (at most twice) before it counts as failed.
describe.skipIf(missing)('Parley Web', { retry: 2 }, () => {
  let web: WebHost;
  /** A host that sends Web Push, to a recording sender standing in for the push services. */
  let pushWeb: WebHost;
  const pushed: PushNotificationPayload[] = [];
  const pushSender: PushSender = {
    publicKey: Buffer.from(createECDH('prime256v1').generateKeys()).toString('base64url'),
    async send(_target, payload) {
      pushed.push(JSON.parse(payload) as PushNotificationPayload);
      return { kind: 'sent' };
    },
  };
  let browser: Browser;
  /** While true, failed requests of the dropped network are expected console messages. */
  let networkDown = false;

  beforeAll(async () => {
    ensureBuilt();
    [web, pushWeb, browser] = await Promise.all([
      startWebHost(),
      startWebHost({ pushSender }),
      launchChromium(),
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await pushWeb?.close();
  });

  const person = async (nickname: string): Promise<Person> => {
    const context = await browser.newContext({ viewport: { width: 390, height: 780 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (networkDown && /ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED|WebSocket connection/.test(text))
        return;
      errors.push(text);
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    const email = `${nickname.toLowerCase()}-${Date.now().toString(36)}@example.test`;
    return { context, page, email, nickname, password: 'correct horse battery', errors };
  };

  /** At phone width a chat fills the screen: back out of it to reach the sections. */
  const openTab = async (p: Person, name: 'Chats' | 'People' | 'Me') => {
    const sections = p.page.getByRole('navigation', { name: 'Sections' });
    const toChats = p.page.getByRole('button', { name: 'Back to chats' });
    const toChat = p.page.getByRole('button', { name: 'Back to the chat' });
    await sections.or(toChats).or(toChat).first().waitFor();
    if (await toChat.isVisible()) await toChat.press('Enter');
    if (!(await sections.isVisible())) {
      await toChats.press('Enter');
      await sections.waitFor();
    }
    await sections.getByRole('button', { name }).click();
  };
  const messages = (p: Person) => p.page.getByRole('list', { name: 'Messages' });
  const send = async (p: Person, text: string) => {
    await p.page.getByLabel('Message', { exact: true }).fill(text);
    await p.page.getByLabel('Message', { exact: true }).press('Enter');
  };
  /** Opens Settings from the Me tab (again, when it is open: its lists load anew). */
  const openSettings = async (p: Person) => {
    const back = p.page.getByRole('button', { name: 'Back to me' });
    if (await back.isVisible()) await back.click();
    await openTab(p, 'Me');
    await p.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await p.page.getByRole('heading', { name: 'Settings' }).waitFor();
  };
  const openChat = (p: Person, name: string) =>
    p.page
      .getByRole('list', { name: 'Chats' })
      .getByRole('button', { name: new RegExp(`^${name}`) })
      .click();

  it('serves the app with immutable assets, a no-cache page and a self-only CSP', async () => {
    for (const path of ['/', '/invite/some-token']) {
      const res = await fetch(web.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const html = await res.text();
      const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(asset).toBeDefined();
      const js = await fetch(web.url + asset);
      expect(js.status).toBe(200);
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    // The API keeps its own answers: JSON 404s, no-store.
    const api = await fetch(`${web.url}/api/nothing`);
    expect(api.status).toBe(404);
    expect(api.headers.get('cache-control')).toBe('no-store');
  });

  it('two people befriend by invite link, chat, group, mention, recall, reload and go offline', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await Promise.all([alice.page.goto(web.url), bob.page.goto(web.url)]);
    await Promise.all([registerInApp(alice.page, web, alice), registerInApp(bob.page, web, bob)]);

    // Alice's QR code encodes an invite link; Bob opens it and sends a friend request.
    await openTab(alice, 'Me');
    const link = await alice.page.locator('a.invite-link').getAttribute('href');
    expect(link).toMatch(/\/invite\/[^/]+$/);
    await expect.poll(() => alice.page.getByRole('img', { name: /QR code to add Alice/ }).count()).toBe(1);
    await bob.page.goto(web.url + new URL(link!).pathname);
    await bob.page.getByText('Alice invites you to be friends').waitFor();
    await bob.page.getByRole('button', { name: 'Send Alice a friend request' }).click();

    await openTab(alice, 'People');
    const request = alice.page.getByRole('region', { name: 'Friend requests' });
    await request.getByRole('button', { name: 'Accept' }).click();
    await alice.page.getByRole('region', { name: 'Friends' }).getByText('Bob').waitFor();
    await alice.page
      .getByRole('region', { name: 'Friends' })
      .getByRole('button', { name: 'Message' })
      .click();
    await alice.page.getByText('online', { exact: true }).waitFor();

    // Bob writes: Alice sees him typing, then the message; Bob sees it read.
    await openTab(bob, 'People');
    await bob.page.getByRole('region', { name: 'Friends' }).getByRole('button', { name: 'Message' }).click();
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('Hi Al', { delay: 20 });
    await alice.page.getByText('Bob is typing…').waitFor();
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('ice!');
    await bob.page.getByLabel('Message', { exact: true }).press('Enter');
    await messages(alice).getByText('Hi Alice!').waitFor();
    await messages(bob).locator('[data-status="read"]').waitFor();
    await send(alice, 'Hello Bob');
    await messages(bob).getByText('Hello Bob').waitFor();

    // Alice makes a group with Bob and mentions him.
    await openTab(alice, 'Chats');
    await alice.page.getByRole('button', { name: 'New group' }).click();
    await alice.page.getByLabel('Group name').fill('Weekend');
    await alice.page.getByRole('checkbox', { name: 'Bob' }).check();
    await alice.page.getByRole('button', { name: 'Create group' }).click();
    await alice.page.getByRole('heading', { name: 'Weekend' }).waitFor();
    await alice.page.getByText('2 members').waitFor();
    const composer = alice.page.getByLabel('Message', { exact: true });
    await composer.pressSequentially('@Bo');
    await alice.page.getByRole('option', { name: '@Bob' }).waitFor();
    await composer.press('Enter');
    await composer.pressSequentially('see you Saturday');
    await composer.press('Enter');
    await messages(alice).getByText('see you Saturday').waitFor();

    await openTab(bob, 'Chats');
    await bob.page.getByRole('button', { name: /^Weekend.*mentioned you/ }).waitFor();
    await openChat(bob, 'Weekend');
    await messages(bob).locator('mark.mention.me', { hasText: '@Bob' }).waitFor();

    // Alice recalls it: Bob sees the tombstone.
    await send(alice, 'oops, wrong chat');
    await messages(bob).getByText('oops, wrong chat').waitFor();
    const mistake = messages(alice).locator('li.message', { hasText: 'oops, wrong chat' });
    await mistake.getByRole('button', { name: 'Message actions' }).click();
    await mistake.getByRole('button', { name: 'Recall' }).click();
    await messages(bob).getByText('This message was recalled').waitFor();
    await expect.poll(() => messages(bob).getByText('oops, wrong chat').count()).toBe(0);

    // A reload keeps Bob signed in, with his chats.
    await bob.page.reload();
    await openChat(bob, 'Weekend');
    await messages(bob).getByText('see you Saturday').waitFor();
    await openTab(bob, 'Chats');
    await openChat(bob, 'Alice');
    await messages(bob).getByText('Hello Bob').waitFor();
    await openTab(alice, 'Chats');
    await openChat(alice, 'Bob');

    // Bob's network drops: what either side sends meanwhile arrives once, after it returns.
    networkDown = true;
    await bob.context.setOffline(true);
    await bob.page.locator('[data-connection="offline"]').waitFor();
    for (const text of ['while away 1', 'while away 2', 'while away 3']) await send(alice, text);
    await send(bob, 'sent offline');
    await messages(bob).locator('[data-state="queued"]').waitFor();
    await bob.context.setOffline(false);
    await bob.page.locator('[data-connection="online"]').waitFor({ state: 'attached' });
    networkDown = false;
    for (const text of ['while away 1', 'while away 2', 'while away 3'])
      await messages(bob).getByText(text, { exact: true }).waitFor();
    await messages(alice).getByText('sent offline').waitFor();
    for (const text of ['while away 1', 'while away 2', 'while away 3'])
      expect(await messages(bob).getByText(text, { exact: true }).count()).toBe(1);
    expect(await messages(alice).getByText('sent offline', { exact: true }).count()).toBe(1);
    await messages(bob).locator('li.pending').waitFor({ state: 'detached' });

    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    await Promise.all([alice.context.close(), bob.context.close()]);
  }, 60_000);

  it('edits, reactions, pins, a thread and search, seen live by the other person', async () => {
    const carol = await person('Carol');
    const dave = await person('Dave');
    await Promise.all([carol.page.goto(web.url), dave.page.goto(web.url)]);
    await Promise.all([registerInApp(carol.page, web, carol), registerInApp(dave.page, web, dave)]);

    // Carol asks Dave by email (REST, with her session's token); Dave accepts in the app.
    const added = await carol.page.evaluate(async (email) => {
      const { localStorage } = globalThis as unknown as { localStorage: { getItem(k: string): string } };
      const res = await fetch('/api/friends/add', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${localStorage.getItem('parley:token')}`,
        },
        body: JSON.stringify({ email }),
      });
      return res.status;
    }, dave.email);
    expect(added).toBe(201);
    await openTab(dave, 'People');
    await dave.page
      .getByRole('region', { name: 'Friend requests' })
      .getByRole('button', { name: 'Accept' })
      .click();
    for (const [p, other] of [
      [carol, 'Dave'],
      [dave, 'Carol'],
    ] as const) {
      await openTab(p, 'People');
      const friends = p.page.getByRole('region', { name: 'Friends' });
      await friends.getByText(other).waitFor();
      await friends.getByRole('button', { name: 'Message' }).click();
      await p.page.getByRole('heading', { name: other }).waitFor();
    }

    await send(carol, 'Lunch at noon?');
    await send(carol, 'Meeting notes: 会议记录 today');
    await messages(dave).getByText('Meeting notes: 会议记录 today').waitFor();

    // Carol edits her message in place (from the keyboard): Dave sees the new text, marked edited.
    const lunch = (p: Person) => messages(p).locator('li.message', { hasText: /^Lunch at/ });
    await lunch(carol).getByRole('button', { name: 'Message actions' }).press('Enter');
    await lunch(carol).getByRole('button', { name: 'Edit', exact: true }).press('Enter');
    const editor = carol.page.getByLabel('Edit message');
    await editor.fill('Lunch at one?');
    await editor.press('Enter');
    await editor.waitFor({ state: 'detached' });
    await lunch(dave).getByText('Lunch at one?').waitFor();
    await lunch(dave).getByText('edited', { exact: true }).waitFor();
    await lunch(carol).getByText('edited', { exact: true }).waitFor();

    // Dave reacts from the palette: Carol sees the count live; Dave takes it back.
    await lunch(dave).getByRole('button', { name: 'Message actions' }).click();
    await lunch(dave).getByRole('button', { name: 'React with thumbs up' }).click();
    await lunch(carol).getByRole('button', { name: 'thumbs up: 1', exact: true }).waitFor();
    const mine = lunch(dave).getByRole('button', { name: 'thumbs up: 1, including you' });
    expect(await mine.getAttribute('aria-pressed')).toBe('true');
    await mine.click();
    await expect.poll(() => lunch(carol).getByRole('group', { name: 'Reactions' }).count()).toBe(0);
    await lunch(carol).getByRole('button', { name: 'Message actions' }).click();
    await lunch(carol).getByRole('button', { name: 'React with heart' }).click();
    await lunch(dave).getByRole('button', { name: 'heart: 1', exact: true }).waitFor();

    // Carol pins it: Dave sees the mark and the pinned list, and unpins it.
    await lunch(carol).getByRole('button', { name: 'Message actions' }).click();
    await lunch(carol).getByRole('button', { name: 'Pin', exact: true }).click();
    await lunch(dave).getByRole('img', { name: 'Pinned' }).waitFor();
    await dave.page.getByRole('button', { name: 'Pinned', exact: true }).click();
    const pinned = dave.page.getByRole('region', { name: 'Pinned messages' });
    await pinned.getByText('Lunch at one?').waitFor();
    await lunch(dave).getByRole('button', { name: 'Message actions' }).click();
    await lunch(dave).getByRole('button', { name: 'Unpin', exact: true }).click();
    await pinned.getByText('No pinned messages.').waitFor();
    await expect.poll(() => lunch(carol).getByRole('img', { name: 'Pinned' }).count()).toBe(0);

    // Dave answers in a thread: Carol sees "1 reply" and opens the thread.
    await lunch(dave).getByRole('button', { name: 'Message actions' }).click();
    await lunch(dave).getByRole('button', { name: 'Reply in thread' }).click();
    await dave.page.getByRole('heading', { name: 'Thread' }).waitFor();
    await dave.page.getByLabel('Reply', { exact: true }).fill('Sure, one works for lunch');
    await dave.page.getByLabel('Reply', { exact: true }).press('Enter');
    const thread = (p: Person) => p.page.getByRole('list', { name: 'Thread' });
    await thread(dave).locator('li.message', { hasText: 'Sure, one works for lunch' }).waitFor();
    await lunch(carol).getByRole('button', { name: '1 reply' }).click();
    await thread(carol).getByText('Sure, one works for lunch').waitFor();
    await thread(carol).getByText('Lunch at one?').waitFor();
    await carol.page.getByRole('button', { name: 'Back to the chat' }).click();
    await messages(carol).getByText('Meeting notes: 会议记录 today').waitFor();

    // Search over every conversation: Chinese and English, newest first; a result opens its chat.
    await openTab(dave, 'Chats');
    const box = dave.page.getByLabel('Search messages');
    const results = dave.page.getByRole('region', { name: 'Search results' });
    await box.fill('会议');
    await box.press('Enter');
    await results.getByText('Meeting notes: 会议记录 today').waitFor();
    await box.fill('lunch');
    await box.press('Enter');
    await results.getByText('Lunch at one?').waitFor();
    expect(await results.locator('.preview').allTextContents()).toEqual([
      'Sure, one works for lunch',
      'Lunch at one?',
    ]);
    await results.getByRole('button', { name: /Lunch at one\?/ }).click();
    await dave.page.getByRole('heading', { name: 'Carol' }).waitFor();
    await lunch(dave).getByText('Lunch at one?').waitFor();

    expect(carol.errors).toEqual([]);
    expect(dave.errors).toEqual([]);
    await Promise.all([carol.context.close(), dave.context.close()]);
  }, 60_000);
  it('the host serves /sw.js: JavaScript, not cached, at the root so its scope may be /', async () => {
    const res = await fetch(`${web.url}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('privacy settings persist; one device signs the other out; sign out everywhere', async () => {
    const laptop = await person('Erin');
    await laptop.page.goto(web.url);
    await registerInApp(laptop.page, web, laptop);
    await openSettings(laptop);
    const privacy = (p: Person) => p.page.getByRole('region', { name: 'Privacy' });
    const toggle = (p: Person, label: string) => privacy(p).getByLabel(label);
    expect(await toggle(laptop, 'Show when I am online').isChecked()).toBe(true);
    await toggle(laptop, 'Show when I am online').uncheck();
    await toggle(laptop, 'Show message text in notifications').uncheck();
    const saved = () =>
      laptop.page.evaluate(async () => {
        const { localStorage } = globalThis as unknown as InPage;
        const res = await fetch('/api/users/me', {
          headers: { authorization: `Bearer ${localStorage.getItem('parley:token')}` },
        });
        const { user } = (await res.json()) as { user: { settings: Record<string, boolean> } };
        return `${user.settings.showOnline},${user.settings.pushPreviews},${user.settings.showLastSeen}`;
      });
    await expect.poll(saved).toBe('false,false,true');
    // No push on this host: the Notifications section says so and offers nothing.
    const notifications = laptop.page.getByRole('region', { name: 'Notifications' });
    await notifications.getByText('Notifications are not set up on this server.').waitFor();
    expect(await notifications.getByRole('button').count()).toBe(0);

    await laptop.page.reload();
    await openSettings(laptop);
    expect(await toggle(laptop, 'Show when I am online').isChecked()).toBe(false);
    expect(await toggle(laptop, 'Show message text in notifications').isChecked()).toBe(false);
    expect(await toggle(laptop, 'Show when I was last online').isChecked()).toBe(true);
    expect(await toggle(laptop, 'Send read receipts').isChecked()).toBe(true);

    // The same account in a second browser: the settings come from the server, not this browser.
    const phone = { ...(await person('ErinPhone')), email: laptop.email, password: laptop.password };
    await phone.page.goto(web.url);
    await signInInApp(phone.page, phone);
    await openSettings(phone);
    expect(await toggle(phone, 'Show when I am online').isChecked()).toBe(false);
    const devices = (p: Person) => p.page.getByRole('list', { name: 'Signed-in devices' });
    await expect.poll(() => devices(phone).getByRole('listitem').count()).toBe(2);
    await devices(phone).getByRole('listitem').filter({ hasText: 'This device' }).waitFor();
    expect(await devices(phone).getByText('Headless Chrome on Linux').count()).toBe(2);

    // The laptop sees both and signs the phone out: the phone lands on the login screen.
    await openSettings(laptop);
    await expect.poll(() => devices(laptop).getByRole('listitem').count()).toBe(2);
    await devices(laptop)
      .getByRole('listitem')
      .filter({ hasNotText: 'This device' })
      .getByRole('button', { name: /^Sign out/ })
      .click();
    await phone.page.getByRole('tab', { name: 'Sign in' }).waitFor();
    await phone.page.getByRole('alert').getByText('Your session has ended').waitFor();
    expect(
      await phone.page.evaluate(() => (globalThis as unknown as InPage).localStorage.getItem('parley:token')),
    ).toBeNull();
    await expect.poll(() => devices(laptop).getByRole('listitem').count()).toBe(1);
    expect(laptop.page.url()).toBe(`${web.url}/`);

    // Signed in again on the phone, then out everywhere from the laptop: both on the login screen.
    await signInInApp(phone.page, phone);
    await openSettings(laptop);
    await expect.poll(() => devices(laptop).getByRole('listitem').count()).toBe(2);
    await laptop.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await laptop.page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
    await laptop.page.getByRole('tab', { name: 'Sign in' }).waitFor();
    await phone.page.getByRole('tab', { name: 'Sign in' }).waitFor();
    expect(await laptop.page.getByRole('alert').count()).toBe(0);

    expect(laptop.errors).toEqual([]);
    expect(phone.errors).toEqual([]);
    await Promise.all([laptop.context.close(), phone.context.close()]);
  }, 60_000);

  it('the service worker shows the server’s push, and its link opens the chat', async () => {
    const gina = await person('Gina');
    await gina.context.grantPermissions(['notifications'], { origin: pushWeb.url });
    await gina.page.goto(pushWeb.url);
    await registerInApp(gina.page, pushWeb, gina);
    await openSettings(gina);
    const notifications = gina.page.getByRole('region', { name: 'Notifications' });
    // Offered: the server sends push and the browser has the API. A test browser's profile is
    // private, where Chrome has no push service: turning it on says so.
    await notifications.getByRole('button', { name: 'Turn on notifications' }).click();
    await gina.page.getByRole('alert').getByText('cannot receive notifications here').waitFor();
    const worker = await gina.page.evaluate(async () => {
      const registration = await (globalThis as unknown as InPage).navigator.serviceWorker.ready;
      return { scope: registration.scope, script: registration.active?.scriptURL };
    });
    expect(worker).toEqual({ scope: `${pushWeb.url}/`, script: `${pushWeb.url}/sw.js` });

    // Hank writes while Gina's tab is closed: the server pushes to a subscription of hers (one
    // made outside the browser, with real keys) and the recording sender keeps the payload.
    const stored = await gina.page.evaluate(() => {
      const { localStorage } = globalThis as unknown as InPage;
      return {
        token: localStorage.getItem('parley:token') ?? '',
        id: (JSON.parse(localStorage.getItem('parley:user') ?? '{}') as { id: string }).id,
      };
    });
    const ginaRest = createParleyRest({ url: pushWeb.url, token: stored.token });
    const hankEmail = `hank-${Date.now().toString(36)}@example.test`;
    const hank = await createParleyRest({ url: pushWeb.url }).auth.register({
      email: hankEmail,
      password: gina.password,
      nickname: 'Hank',
    });
    await createParleyRest({ url: pushWeb.url }).auth.verifyEmail({
      email: hankEmail,
      code: verificationCode(pushWeb.mailer, hankEmail),
    });
    const hankRest = createParleyRest({ url: pushWeb.url, token: hank.token });
    const { request } = await hankRest.friends.add({ userId: stored.id });
    await ginaRest.friends.accept(request.id);
    await ginaRest.users.addPushSubscription({
      endpoint: `https://push.example.test/${randomBytes(8).toString('hex')}`,
      keys: {
        p256dh: Buffer.from(createECDH('prime256v1').generateKeys()).toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      },
    });
    await gina.page.close();
    await expect
      .poll(async () => (await pushWeb.host.engine.presence.statusOf([stored.id])).get(stored.id)?.online)
      .toBe(false);
    const { message } = await hankRest.messages.sendPrivate(stored.id, {
      content: 'Are you coming tonight?',
    });
    await expect.poll(() => pushed.filter((p) => p.messageId === message.id).length).toBe(1);
    const payload = pushed.find((p) => p.messageId === message.id)!;

    // That payload, delivered to Gina's worker through DevTools, is shown as a notification.
    const page = await gina.context.newPage();
    await page.goto(`${pushWeb.url}/`);
    const cdp = await gina.context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const live = registrations.find((r) => !r.isDeleted && r.scopeURL === `${pushWeb.url}/`);
        if (live) resolve(live.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: pushWeb.url,
      registrationId: await registrationId,
      data: JSON.stringify(payload),
    });
    const shown = () =>
      page.evaluate(async () =>
        (
          await (await (globalThis as unknown as InPage).navigator.serviceWorker.ready).getNotifications()
        ).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          data: n.data as { url: string; conversationId: string },
        })),
      );
    await expect.poll(async () => (await shown()).length).toBe(1);
    const [notification] = await shown();
    expect(notification).toEqual({
      title: 'Hank',
      body: 'Are you coming tonight?',
      tag: message.conversationId,
      data: {
        url: `${pushWeb.url}/?conversation=${encodeURIComponent(message.conversationId)}`,
        conversationId: message.conversationId,
      },
    });

    // What a click opens when no Parley window is open: the chat itself.
    await page.goto(notification!.data.url);
    await page.getByRole('heading', { name: 'Hank' }).waitFor();
    await page.getByRole('list', { name: 'Messages' }).getByText('Are you coming tonight?').waitFor();

    const expected = /does not support the Push API in incognito mode/;
    expect(gina.errors.filter((text) => !expected.test(text))).toEqual([]);
    await gina.context.close();
  }, 60_000);
});
