import type { AuthTokenStore, CodePurpose, OneTimeCodeRecord } from '@parley/chat-core';
import type { Handle } from './connection.js';
import { guard, isDuplicateKeyError, retryOnDuplicateKey } from './errors.js';
import { fromStoredId, toStoredId } from './ids.js';
import { type Doc, date, stringOrNull } from './paging.js';

function toRecord(doc: Doc): OneTimeCodeRecord {
  return {
    id: fromStoredId(doc.codeId),
    userId: fromStoredId(doc.userId),
    purpose: doc.purpose as CodePurpose,
    codeHash: String(doc.codeHash),
    linkTokenHash: stringOrNull(doc.linkTokenHash),
    attempts: Number(doc.attempts ?? 0),
    expiresAt: date(doc.expiresAt),
    createdAt: date(doc.createdAt),
  };
}

/** The auth-tokens area: `one_time_codes` (one per user and purpose) and `revoked_tokens`. */
export function mongoAuthTokenStore(ready: () => Promise<Handle>): AuthTokenStore {
  return {
    putCode: (code) =>
      guard(async () => {
        const { models } = await ready();
        const replacement: Doc = {
          codeId: toStoredId(code.id),
          userId: toStoredId(code.userId),
          purpose: code.purpose,
          codeHash: code.codeHash,
          attempts: code.attempts,
          expiresAt: code.expiresAt,
          createdAt: code.createdAt,
        };
        // Left out when null so the sparse index only holds link codes.
        if (code.linkTokenHash !== null) replacement.linkTokenHash = code.linkTokenHash;
        const filter = { userId: toStoredId(code.userId), purpose: code.purpose };
        // One atomic replace-or-insert per (user, purpose). Two concurrent first inserts may race
        // on the unique key; the loser retries and replaces the winner's code.
        await retryOnDuplicateKey(() =>
          models.one_time_codes.collection.replaceOne(filter, replacement, { upsert: true }),
        );
      }),

    getCode: (userId, purpose) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.one_time_codes.findOne({ userId: toStoredId(userId), purpose }).lean<Doc>();
        return doc ? toRecord(doc) : null;
      }),

    getCodeByLinkTokenHash: (hash) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.one_time_codes.findOne({ linkTokenHash: hash }).lean<Doc>();
        return doc ? toRecord(doc) : null;
      }),

    incrementCodeAttempts: (codeId) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.one_time_codes
          .findOneAndUpdate(
            { codeId: toStoredId(codeId) },
            { $inc: { attempts: 1 } },
            { returnDocument: 'after', projection: { attempts: 1 } },
          )
          .lean<Doc>();
        return doc ? Number(doc.attempts) : null;
      }),

    consumeCode: (codeId) =>
      guard(async () => {
        const { models } = await ready();
        const result = await models.one_time_codes.deleteOne({ codeId: toStoredId(codeId) });
        return result.deletedCount === 1;
      }),

    revokeToken: (jti, expiresAt) =>
      guard(async () => {
        const { models } = await ready();
        try {
          await models.revoked_tokens.collection.updateOne(
            { _id: jti as never },
            { $setOnInsert: { expiresAt } },
            { upsert: true },
          );
        } catch (error) {
          // A concurrent revoke of the same token inserted it first: already revoked.
          if (!isDuplicateKeyError(error)) throw error;
        }
      }),

    isTokenRevoked: (jti) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.revoked_tokens.findOne({ _id: jti }, { _id: 1 }).lean<Doc>();
        return doc !== null;
      }),
  };
}
