/**
 * The auth-tokens area: one-time codes (one per user and purpose, by a unique key) and revoked JWT
 * ids. Expired revocations are purged now and then, as a TTL index would.
 */
import type { AuthTokenStore, CodePurpose, OneTimeCodeRecord } from '@parley/chat-core';
import type { Selectable } from 'kysely';
import { readDate } from './codec.js';
import type { OneTimeCodesTable } from './database.js';
import { guard } from './errors.js';
import type { Ready } from './handle.js';

const PURGE_EVERY_MS = 60_000;

function toCode(row: Selectable<OneTimeCodesTable>): OneTimeCodeRecord {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose as CodePurpose,
    codeHash: row.code_hash,
    linkTokenHash: row.link_token_hash,
    attempts: row.attempts,
    expiresAt: readDate(row.expires_at),
    createdAt: readDate(row.created_at),
  };
}

export function sqlAuthTokenStore(ready: Ready): AuthTokenStore {
  let lastPurge = 0;

  return {
    putCode: (code) =>
      guard(async () => {
        const { db, codec } = await ready();
        const values = {
          id: code.id,
          user_id: code.userId,
          purpose: code.purpose,
          code_hash: code.codeHash,
          link_token_hash: code.linkTokenHash,
          attempts: code.attempts,
          expires_at: codec.date(code.expiresAt),
          created_at: codec.date(code.createdAt),
        };
        // One statement: the earlier code of the slot is replaced, never left beside the new one.
        await db
          .insertInto('parley_one_time_codes')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['user_id', 'purpose']).doUpdateSet({
              id: values.id,
              code_hash: values.code_hash,
              link_token_hash: values.link_token_hash,
              attempts: values.attempts,
              expires_at: values.expires_at,
              created_at: values.created_at,
            }),
          )
          .execute();
      }),

    getCode: (userId, purpose) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_one_time_codes')
          .selectAll()
          .where('user_id', '=', userId)
          .where('purpose', '=', purpose)
          .executeTakeFirst();
        return row ? toCode(row) : null;
      }),

    getCodeByLinkTokenHash: (hash) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_one_time_codes')
          .selectAll()
          .where('link_token_hash', '=', hash)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        return row ? toCode(row) : null;
      }),

    incrementCodeAttempts: (codeId) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .updateTable('parley_one_time_codes')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('id', '=', codeId)
          .returning('attempts')
          .executeTakeFirst();
        return row ? row.attempts : null;
      }),

    consumeCode: (codeId) =>
      guard(async () => {
        const { db } = await ready();
        // A single DELETE: of concurrent consumers exactly one sees a deleted row.
        const result = await db
          .deleteFrom('parley_one_time_codes')
          .where('id', '=', codeId)
          .executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      }),

    revokeToken: (jti, expiresAt) =>
      guard(async () => {
        const { db, codec } = await ready();
        const expires = codec.date(expiresAt);
        await db
          .insertInto('parley_revoked_tokens')
          .values({ jti, expires_at: expires })
          .onConflict((oc) =>
            oc
              .column('jti')
              .doUpdateSet({ expires_at: expires })
              .where('parley_revoked_tokens.expires_at', '<', expires),
          )
          .execute();
        const now = Date.now();
        if (now - lastPurge >= PURGE_EVERY_MS) {
          lastPurge = now;
          await db
            .deleteFrom('parley_revoked_tokens')
            .where('expires_at', '<=', codec.date(new Date(now)))
            .execute();
        }
      }),

    isTokenRevoked: (jti) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_revoked_tokens')
          .select('jti')
          .where('jti', '=', jti)
          .executeTakeFirst();
        return row !== undefined;
      }),
  };
}
