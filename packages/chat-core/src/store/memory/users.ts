/** The users area of `memoryStore()`: accounts by id, with an email index. */
import type { UserRecord } from '../../domain/records.js';
import { ChatError } from '../../errors.js';
import type { UserPatch, UserStore } from '../../ports/store.js';

/**
 * A fresh copy (every field is a primitive or a Date): cheaper than structuredClone on hot reads,
 * and written field by field, since a spread with overriding keys leaves V8's fast literal path
 * (a send reads its receiver through here).
 */
const copy = (user: UserRecord): UserRecord => ({
  id: user.id,
  email: user.email,
  passwordHash: user.passwordHash,
  nickname: user.nickname,
  avatarUrl: user.avatarUrl,
  bio: user.bio,
  emailVerified: user.emailVerified,
  tokenVersion: user.tokenVersion,
  inviteVersion: user.inviteVersion,
  lastSeenAt: user.lastSeenAt === null ? null : new Date(user.lastSeenAt.getTime()),
  privacy: {
    showLastSeen: user.privacy.showLastSeen,
    showOnline: user.privacy.showOnline,
    sendReadReceipts: user.privacy.sendReadReceipts,
    pushPreviews: user.privacy.pushPreviews,
  },
  createdAt: new Date(user.createdAt.getTime()),
  updatedAt: new Date(user.updatedAt.getTime()),
});

export function memoryUserStore(): UserStore {
  const byId = new Map<string, UserRecord>();
  const idByEmail = new Map<string, string>();

  return {
    async create(user) {
      if (idByEmail.has(user.email)) throw new ChatError('EMAIL_TAKEN');
      if (byId.has(user.id)) throw new Error(`duplicate user id ${user.id}`);
      const stored = copy(user);
      byId.set(stored.id, stored);
      idByEmail.set(stored.email, stored.id);
      return copy(stored);
    },
    async getById(id) {
      const user = byId.get(id);
      return user ? copy(user) : null;
    },
    async getByIds(ids) {
      const found: UserRecord[] = [];
      for (const id of new Set(ids)) {
        const user = byId.get(id);
        if (user) found.push(copy(user));
      }
      return found;
    },
    async getByEmail(email) {
      const id = idByEmail.get(email);
      const user = id === undefined ? undefined : byId.get(id);
      return user ? copy(user) : null;
    },
    async update(id, patch) {
      const user = byId.get(id);
      if (!user) return null;
      for (const [key, value] of Object.entries(patch) as [keyof UserPatch, unknown][]) {
        // A key present with `undefined` means "not given", as a Partial patch allows.
        if (value !== undefined) Object.assign(user, { [key]: structuredClone(value) });
      }
      return copy(user);
    },
    async bumpTokenVersion(id, at) {
      const user = byId.get(id);
      if (!user) return null;
      user.tokenVersion += 1;
      user.updatedAt = new Date(at.getTime());
      return copy(user);
    },
    async searchByNicknamePrefix(prefix, limit) {
      if (prefix.length === 0 || limit <= 0) return [];
      const wanted = prefix.toLowerCase();
      // Search is not a hot path: a scan keeps the store simple and always consistent.
      const matches: UserRecord[] = [];
      for (const user of byId.values()) {
        if (user.nickname.toLowerCase().startsWith(wanted)) matches.push(user);
      }
      matches.sort((a, b) => compare(a.nickname, b.nickname) || compare(a.id, b.id));
      return matches.slice(0, limit).map(copy);
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
