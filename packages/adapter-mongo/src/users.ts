import {
  DEFAULT_PRIVACY,
  type PrivacySettings,
  type UserPatch,
  type UserRecord,
  type UserStore,
} from '@parley/chat-core';
import type { Handle } from './connection.js';
import { guard } from './errors.js';
import { fromStoredId, toStoredId, toStoredIds } from './ids.js';
import { type Doc, date, dateOrNull, definedEntries, op, stringOrNull } from './paging.js';

/** The stored settings, each one missing (a user stored before they existed) read as its default. */
function toPrivacy(value: unknown): PrivacySettings {
  const stored = typeof value === 'object' && value !== null ? (value as Doc) : {};
  const flag = (key: keyof PrivacySettings) =>
    typeof stored[key] === 'boolean' ? (stored[key] as boolean) : DEFAULT_PRIVACY[key];
  return {
    showLastSeen: flag('showLastSeen'),
    showOnline: flag('showOnline'),
    sendReadReceipts: flag('sendReadReceipts'),
    pushPreviews: flag('pushPreviews'),
  };
}

/** A stored user as the core sees it (exported for the unit tests of documents stored before privacy). */
export function toUserRecord(doc: Doc): UserRecord {
  return {
    id: fromStoredId(doc._id),
    email: String(doc.email),
    passwordHash: String(doc.passwordHash),
    nickname: String(doc.nickname),
    avatarUrl: stringOrNull(doc.avatarUrl),
    bio: stringOrNull(doc.bio),
    emailVerified: doc.emailVerified === true,
    tokenVersion: Number(doc.tokenVersion ?? 0),
    inviteVersion: Number(doc.inviteVersion ?? 0),
    lastSeenAt: dateOrNull(doc.lastSeenAt),
    privacy: toPrivacy(doc.privacy),
    createdAt: date(doc.createdAt),
    updatedAt: date(doc.updatedAt),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The users area: `users` collection, unique email, nickname prefix index. */
export function mongoUserStore(ready: () => Promise<Handle>): UserStore {
  const after = { returnDocument: 'after' as const, lean: true };

  return {
    create: (user) =>
      guard(
        async () => {
          const { models } = await ready();
          await models.users.collection.insertOne({
            _id: toStoredId(user.id) as never,
            email: user.email,
            passwordHash: user.passwordHash,
            nickname: user.nickname,
            nicknameLower: user.nickname.toLowerCase(),
            avatarUrl: user.avatarUrl,
            bio: user.bio,
            emailVerified: user.emailVerified,
            tokenVersion: user.tokenVersion,
            inviteVersion: user.inviteVersion,
            lastSeenAt: user.lastSeenAt,
            privacy: { ...user.privacy },
            createdAt: user.createdAt,
            updatedAt: user.updatedAt,
          });
          return toUserRecord({ ...user, _id: user.id });
        },
        { duplicate: 'EMAIL_TAKEN', duplicateFields: ['email'] },
      ),

    getById: (id) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.users.findOne({ _id: toStoredId(id) }).lean<Doc>();
        return doc ? toUserRecord(doc) : null;
      }),

    getByIds: (ids) =>
      guard(async () => {
        if (ids.length === 0) return [];
        const { models } = await ready();
        const docs = await models.users.find({ _id: op({ $in: toStoredIds(ids) }) }).lean<Doc[]>();
        return docs.map(toUserRecord);
      }),

    getByEmail: (email) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.users.findOne({ email }).lean<Doc>();
        return doc ? toUserRecord(doc) : null;
      }),

    update: (id, patch: UserPatch) =>
      guard(async () => {
        const { models } = await ready();
        const { privacy, ...rest } = patch;
        const set: Doc = definedEntries(rest);
        if (typeof patch.nickname === 'string') set.nicknameLower = patch.nickname.toLowerCase();
        // All four by path: the settings are replaced whole, and created on a user stored before them.
        if (privacy !== undefined) {
          set['privacy.showLastSeen'] = privacy.showLastSeen;
          set['privacy.showOnline'] = privacy.showOnline;
          set['privacy.sendReadReceipts'] = privacy.sendReadReceipts;
          set['privacy.pushPreviews'] = privacy.pushPreviews;
        }
        if (Object.keys(set).length === 0) {
          const doc = await models.users.findOne({ _id: toStoredId(id) }).lean<Doc>();
          return doc ? toUserRecord(doc) : null;
        }
        const doc = await models.users
          .findOneAndUpdate({ _id: toStoredId(id) }, { $set: set }, after)
          .lean<Doc>();
        return doc ? toUserRecord(doc) : null;
      }),

    bumpTokenVersion: (id, at) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.users
          .findOneAndUpdate(
            { _id: toStoredId(id) },
            { $inc: { tokenVersion: 1 }, $set: { updatedAt: at } },
            after,
          )
          .lean<Doc>();
        return doc ? toUserRecord(doc) : null;
      }),

    searchByNicknamePrefix: (prefix, limit) =>
      guard(async () => {
        if (prefix === '' || limit <= 0) return [];
        const { models } = await ready();
        // An anchored, case-sensitive regex on the lower-cased copy is an index range scan.
        const docs = await models.users
          .find({ nicknameLower: op({ $regex: `^${escapeRegExp(prefix.toLowerCase())}` }) })
          .sort({ nickname: 1, _id: 1 })
          .limit(limit)
          .lean<Doc[]>();
        return docs.map(toUserRecord);
      }),
  };
}
