import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/**
 * `one_time_codes`: the current code per (user, purpose). The code's own id lives in `codeId`
 * (unique) so that `putCode` can replace the document of that user and purpose in one atomic
 * upsert. `linkTokenHash` is left out when null, so its sparse index holds only link codes.
 * Documents are purged by a TTL index once `expiresAt` has passed.
 */
export const oneTimeCodeSchema = new Schema(
  {
    codeId: { type: IdType, required: true },
    userId: { type: IdType, required: true },
    purpose: { type: String, required: true },
    codeHash: { type: String, required: true },
    linkTokenHash: { type: String },
    attempts: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  collectionOptions('one_time_codes'),
);
oneTimeCodeSchema.index({ userId: 1, purpose: 1 }, { unique: true, name: 'user_purpose_unique' });
oneTimeCodeSchema.index({ codeId: 1 }, { unique: true, name: 'code_id_unique' });
oneTimeCodeSchema.index({ linkTokenHash: 1 }, { sparse: true, name: 'link_token_hash' });
oneTimeCodeSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expires_ttl' });
sanitizeQueries(oneTimeCodeSchema);
