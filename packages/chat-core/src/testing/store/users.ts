import { expect } from 'vitest';
import { DEFAULT_PRIVACY, type UserRecord } from '../../domain/records.js';
import { isChatError } from '../../errors.js';
import { objectIdGenerator } from '../../ports/ids.js';
import { type ConformanceOptions, defineArea, type StoreTestContext } from '../harness.js';

const ids = objectIdGenerator();
const T0 = Date.UTC(2030, 0, 1);
let serial = 0;

/** A complete user record with unique id and email; `overrides` wins. */
export function userRecord(overrides: Partial<UserRecord> = {}): UserRecord {
  serial += 1;
  const at = new Date(T0 + serial * 1000);
  return {
    id: ids.next(),
    email: `user${serial}.${ids.next()}@example.test`,
    passwordHash: `$2b$04$hash-of-user-${serial}`,
    nickname: `User ${serial}`,
    avatarUrl: null,
    bio: null,
    emailVerified: false,
    tokenVersion: 0,
    inviteVersion: 0,
    lastSeenAt: null,
    privacy: { ...DEFAULT_PRIVACY },
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isChatError(error) ? error.code : `non-ChatError: ${String(error)}`;
  }
  return 'no error';
}

/** Store-level conformance of the users area. */
export function usersStoreSuite(options: ConformanceOptions): void {
  defineArea<StoreTestContext>(
    'store.users',
    options,
    (_fixture, store) => ({ store, probes: options.probes?.(store) ?? null }),
    (test) => {
      test('create stores a user that getById and getByEmail answer in full', async ({ store }) => {
        const user = userRecord({ bio: 'hello', avatarUrl: 'https://example.test/a.png' });
        expect(await store.users.create(user)).toEqual(user);
        expect(await store.users.getById(user.id)).toEqual(user);
        expect(await store.users.getByEmail(user.email)).toEqual(user);
      });

      test('create writes the document the raw probe reads back', async ({ store, probes }) => {
        const user = userRecord({ emailVerified: true, tokenVersion: 3 });
        await store.users.create(user);
        const raw = probes ? await probes.user(user.id) : await store.users.getById(user.id);
        expect(raw).toMatchObject({
          email: user.email,
          passwordHash: user.passwordHash,
          nickname: user.nickname,
          emailVerified: true,
          tokenVersion: 3,
        });
      });

      test('lookups that match nothing answer null or an empty list', async ({ store }) => {
        await store.users.create(userRecord());
        expect(await store.users.getById(ids.next())).toBeNull();
        expect(await store.users.getById('not-an-id')).toBeNull();
        expect(await store.users.getByEmail('nobody@example.test')).toBeNull();
        expect(await store.users.getByIds([])).toEqual([]);
        expect(await store.users.getByIds([ids.next(), 'not-an-id'])).toEqual([]);
        expect(await store.users.update(ids.next(), { nickname: 'x' })).toBeNull();
        expect(await store.users.bumpTokenVersion(ids.next(), new Date(T0))).toBeNull();
      });

      test('create refuses a registered email with EMAIL_TAKEN and keeps the first user', async ({
        store,
      }) => {
        const first = userRecord();
        await store.users.create(first);
        const second = userRecord({ email: first.email, nickname: 'Impostor' });
        expect(await codeOf(store.users.create(second))).toBe('EMAIL_TAKEN');
        expect(await store.users.getById(second.id)).toBeNull();
        expect(await store.users.getByEmail(first.email)).toEqual(first);
      });

      test('concurrent creates with one email: exactly one wins, the others get EMAIL_TAKEN', async ({
        store,
      }) => {
        const email = `race.${ids.next()}@example.test`;
        const users = Array.from({ length: 8 }, () => userRecord({ email }));
        const results = await Promise.all(users.map((u) => codeOf(store.users.create(u))));
        expect(results.filter((r) => r === 'no error')).toHaveLength(1);
        expect(results.filter((r) => r === 'EMAIL_TAKEN')).toHaveLength(7);
        const stored = await store.users.getByIds(users.map((u) => u.id));
        expect(stored).toHaveLength(1);
        expect(stored[0]?.email).toBe(email);
      });

      test('privacy settings are stored whole and update replaces them', async ({ store }) => {
        const user = userRecord({
          privacy: { showLastSeen: false, showOnline: true, sendReadReceipts: false, pushPreviews: true },
        });
        await store.users.create(user);
        expect((await store.users.getById(user.id))?.privacy).toEqual(user.privacy);
        const privacy = {
          showLastSeen: true,
          showOnline: false,
          sendReadReceipts: true,
          pushPreviews: false,
        };
        expect((await store.users.update(user.id, { privacy }))?.privacy).toEqual(privacy);
        const [again] = await store.users.getByIds([user.id]);
        expect(again?.privacy).toEqual(privacy);
        expect((await store.users.getByEmail(user.email))?.privacy).toEqual(privacy);
        expect(again?.nickname).toBe(user.nickname);
      });

      test('getByIds answers the known users in any order and leaves out unknown ids', async ({ store }) => {
        const a = userRecord();
        const b = userRecord();
        const c = userRecord();
        for (const u of [a, b, c]) await store.users.create(u);
        const found = await store.users.getByIds([c.id, ids.next(), a.id]);
        expect(found.map((u) => u.id).sort()).toEqual([a.id, c.id].sort());
        expect(found.find((u) => u.id === c.id)).toEqual(c);
      });

      test('update applies the patch and leaves other fields alone', async ({ store, probes }) => {
        const user = userRecord({ bio: 'old bio' });
        await store.users.create(user);
        const later = new Date(T0 + 86_400_000);
        const updated = await store.users.update(user.id, {
          nickname: 'Renamed',
          avatarUrl: 'https://example.test/new.png',
          emailVerified: true,
          lastSeenAt: later,
          updatedAt: later,
        });
        const expected = {
          ...user,
          nickname: 'Renamed',
          avatarUrl: 'https://example.test/new.png',
          emailVerified: true,
          lastSeenAt: later,
          updatedAt: later,
        };
        expect(updated).toEqual(expected);
        expect(await store.users.getById(user.id)).toEqual(expected);
        if (probes)
          expect(await probes.user(user.id)).toMatchObject({ nickname: 'Renamed', emailVerified: true });
        expect(await store.users.update(user.id, { bio: null })).toMatchObject({
          bio: null,
          nickname: 'Renamed',
        });
      });

      test('bumpTokenVersion raises the version by one and sets updatedAt', async ({ store }) => {
        const user = userRecord({ tokenVersion: 2 });
        await store.users.create(user);
        const at = new Date(T0 + 5_000_000);
        const bumped = await store.users.bumpTokenVersion(user.id, at);
        expect(bumped).toEqual({ ...user, tokenVersion: 3, updatedAt: at });
        expect((await store.users.getById(user.id))?.tokenVersion).toBe(3);
      });

      test('concurrent bumpTokenVersion calls each count', async ({ store, probes }) => {
        const user = userRecord();
        await store.users.create(user);
        const results = await Promise.all(
          Array.from({ length: 10 }, () => store.users.bumpTokenVersion(user.id, new Date(T0))),
        );
        expect(results.map((u) => u?.tokenVersion).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ]);
        expect((await store.users.getById(user.id))?.tokenVersion).toBe(10);
        if (probes) expect(await probes.user(user.id)).toMatchObject({ tokenVersion: 10 });
      });

      test('concurrent updates of different fields both land', async ({ store }) => {
        const user = userRecord();
        await store.users.create(user);
        await Promise.all([
          store.users.update(user.id, { nickname: 'Both' }),
          store.users.update(user.id, { bio: 'land' }),
          store.users.bumpTokenVersion(user.id, new Date(T0)),
        ]);
        expect(await store.users.getById(user.id)).toMatchObject({
          nickname: 'Both',
          bio: 'land',
          tokenVersion: 1,
        });
      });

      test('searchByNicknamePrefix matches case-insensitively, ordered by nickname then id', async ({
        store,
      }) => {
        const names = ['Anna', 'annabel', 'Bob', 'ann', 'Zed', 'Ann'];
        const users = names.map((nickname) => userRecord({ nickname }));
        for (const u of users) await store.users.create(u);
        const found = await store.users.searchByNicknamePrefix('ANN', 10);
        expect(found.map((u) => u.nickname).sort()).toEqual(['Ann', 'Anna', 'ann', 'annabel'].sort());
        const sameName = await store.users.searchByNicknamePrefix('Ann', 10);
        const expectedOrder = [...sameName].sort((a, b) =>
          a.nickname < b.nickname ? -1 : a.nickname > b.nickname ? 1 : a.id < b.id ? -1 : 1,
        );
        expect(sameName.map((u) => u.id)).toEqual(expectedOrder.map((u) => u.id));
        expect(await store.users.searchByNicknamePrefix('Ann', 2)).toHaveLength(2);
        expect(await store.users.searchByNicknamePrefix('b', 10)).toEqual([users[2]]);
      });

      test('searchByNicknamePrefix: empty prefix, no match and equal nicknames', async ({ store }) => {
        const twins = [userRecord({ nickname: 'Twin' }), userRecord({ nickname: 'Twin' })];
        for (const u of twins) await store.users.create(u);
        expect(await store.users.searchByNicknamePrefix('', 10)).toEqual([]);
        expect(await store.users.searchByNicknamePrefix('Nobody', 10)).toEqual([]);
        const found = await store.users.searchByNicknamePrefix('twin', 10);
        expect(found.map((u) => u.id)).toEqual(twins.map((u) => u.id).sort());
      });

      test('searchByNicknamePrefix takes the prefix literally (no pattern syntax)', async ({ store }) => {
        for (const nickname of ['a.b', 'axb', 'a*c', '(paren', 'back\\slash']) {
          await store.users.create(userRecord({ nickname }));
        }
        expect((await store.users.searchByNicknamePrefix('a.', 10)).map((u) => u.nickname)).toEqual(['a.b']);
        expect((await store.users.searchByNicknamePrefix('a*', 10)).map((u) => u.nickname)).toEqual(['a*c']);
        expect((await store.users.searchByNicknamePrefix('(', 10)).map((u) => u.nickname)).toEqual([
          '(paren',
        ]);
        expect((await store.users.searchByNicknamePrefix('back\\', 10)).map((u) => u.nickname)).toEqual([
          'back\\slash',
        ]);
        expect(await store.users.searchByNicknamePrefix('.', 10)).toEqual([]);
      });

      test('answers are copies: mutating them changes nothing stored', async ({ store }) => {
        const user = userRecord({ nickname: 'Original' });
        const created = await store.users.create(user);
        created.nickname = 'mutated';
        user.nickname = 'mutated too';
        const byId = await store.users.getById(user.id);
        if (!byId) throw new Error('user missing');
        byId.nickname = 'mutated';
        byId.createdAt.setTime(0);
        const [fromMany] = await store.users.getByIds([user.id]);
        if (fromMany) fromMany.tokenVersion = 99;
        const byEmail = await store.users.getByEmail(user.email);
        if (byEmail) byEmail.emailVerified = true;
        const updated = await store.users.update(user.id, { bio: 'x' });
        if (updated) updated.bio = 'mutated';
        const [searched] = await store.users.searchByNicknamePrefix('Orig', 1);
        if (searched) searched.nickname = 'mutated';
        expect(await store.users.getById(user.id)).toMatchObject({
          nickname: 'Original',
          bio: 'x',
          tokenVersion: 0,
          emailVerified: false,
          createdAt: user.createdAt,
        });
      });
    },
  );
}
