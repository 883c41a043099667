/** The users area: accounts, a unique email, and a nickname prefix search on `nickname_lower`. */
import type { PrivacySettings, UserPatch, UserRecord, UserStore } from '@parley/chat-core';
import type { Selectable, Updateable } from 'kysely';
import { type Codec, readBool, readDate, readDateOrNull } from './codec.js';
import type { UsersTable } from './database.js';
import { guard } from './errors.js';
import type { Ready } from './handle.js';

export function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    nickname: row.nickname,
    avatarUrl: row.avatar_url,
    bio: row.bio,
    emailVerified: readBool(row.email_verified),
    tokenVersion: row.token_version,
    inviteVersion: row.invite_version,
    lastSeenAt: readDateOrNull(row.last_seen_at),
    privacy: {
      showLastSeen: readBool(row.show_last_seen),
      showOnline: readBool(row.show_online),
      sendReadReceipts: readBool(row.send_read_receipts),
      pushPreviews: readBool(row.push_previews),
    },
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
  };
}

/** The privacy settings as their four columns (always all four: an update replaces them whole). */
function privacyColumns(codec: Codec, privacy: PrivacySettings) {
  return {
    show_last_seen: codec.bool(privacy.showLastSeen),
    show_online: codec.bool(privacy.showOnline),
    send_read_receipts: codec.bool(privacy.sendReadReceipts),
    push_previews: codec.bool(privacy.pushPreviews),
  };
}

/** The upper end of a prefix range: every string starting with `prefix` sorts below it. */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

export function sqlUserStore(ready: Ready): UserStore {
  return {
    create: (user) =>
      guard(
        async () => {
          const { db, codec } = await ready();
          await db
            .insertInto('parley_users')
            .values({
              id: user.id,
              email: user.email,
              password_hash: user.passwordHash,
              nickname: user.nickname,
              nickname_lower: user.nickname.toLowerCase(),
              avatar_url: user.avatarUrl,
              bio: user.bio,
              email_verified: codec.bool(user.emailVerified),
              token_version: user.tokenVersion,
              invite_version: user.inviteVersion,
              last_seen_at: codec.dateOrNull(user.lastSeenAt),
              ...privacyColumns(codec, user.privacy),
              created_at: codec.date(user.createdAt),
              updated_at: codec.date(user.updatedAt),
            })
            .execute();
          return structuredClone(user);
        },
        { duplicate: 'EMAIL_TAKEN', duplicateColumns: ['email'] },
      ),

    getById: (id) =>
      guard(async () => {
        const { db, sqlite } = await ready();
        if (sqlite) return sqlite.getUser(id); // SQLite: a prepared statement (sqlite-hot-path.ts)
        const row = await db.selectFrom('parley_users').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? toUser(row) : null;
      }),

    getByIds: (ids) =>
      guard(async () => {
        if (ids.length === 0) return [];
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_users')
          .selectAll()
          .where('id', 'in', [...new Set(ids)])
          .execute();
        return rows.map(toUser);
      }),

    getByEmail: (email) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_users')
          .selectAll()
          .where('email', '=', email)
          .executeTakeFirst();
        return row ? toUser(row) : null;
      }),

    update: (id, patch: UserPatch) =>
      guard(async () => {
        const { db, codec } = await ready();
        const set: Updateable<UsersTable> = {};
        if (patch.nickname !== undefined) {
          set.nickname = patch.nickname;
          set.nickname_lower = patch.nickname.toLowerCase();
        }
        if (patch.avatarUrl !== undefined) set.avatar_url = patch.avatarUrl;
        if (patch.bio !== undefined) set.bio = patch.bio;
        if (patch.emailVerified !== undefined) set.email_verified = codec.bool(patch.emailVerified);
        if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
        if (patch.tokenVersion !== undefined) set.token_version = patch.tokenVersion;
        if (patch.inviteVersion !== undefined) set.invite_version = patch.inviteVersion;
        if (patch.lastSeenAt !== undefined) set.last_seen_at = codec.dateOrNull(patch.lastSeenAt);
        if (patch.privacy !== undefined) Object.assign(set, privacyColumns(codec, patch.privacy));
        if (patch.updatedAt !== undefined) set.updated_at = codec.date(patch.updatedAt);
        if (Object.keys(set).length === 0) {
          const row = await db.selectFrom('parley_users').selectAll().where('id', '=', id).executeTakeFirst();
          return row ? toUser(row) : null;
        }
        const row = await db
          .updateTable('parley_users')
          .set(set)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row ? toUser(row) : null;
      }),

    bumpTokenVersion: (id, at) =>
      guard(async () => {
        const { db, codec } = await ready();
        const row = await db
          .updateTable('parley_users')
          .set((eb) => ({ token_version: eb('token_version', '+', 1), updated_at: codec.date(at) }))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row ? toUser(row) : null;
      }),

    searchByNicknamePrefix: (prefix, limit) =>
      guard(async () => {
        if (prefix.length === 0 || limit <= 0) return [];
        const { db } = await ready();
        const wanted = prefix.toLowerCase();
        const rows = await db
          .selectFrom('parley_users')
          .selectAll()
          .where('nickname_lower', '>=', wanted)
          .where('nickname_lower', '<', prefixUpperBound(wanted))
          .orderBy('nickname')
          .orderBy('id')
          .limit(limit)
          .execute();
        // The range is the index's; startsWith keeps the answer exact for any code point.
        return rows.filter((row) => row.nickname_lower.startsWith(wanted)).map(toUser);
      }),
  };
}
