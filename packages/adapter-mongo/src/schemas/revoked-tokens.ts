import { Schema } from 'mongoose';
import { collectionOptions, sanitizeQueries } from './common.js';

/** `revoked_tokens`: `_id` is the JWT id; purged by TTL once the token would have expired anyway. */
export const revokedTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  collectionOptions('revoked_tokens'),
);
revokedTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expires_ttl' });
sanitizeQueries(revokedTokenSchema);
