import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `sessions`: `_id` is the token's jti; purged by TTL once the token has expired. */
export const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: IdType, required: true },
    userAgent: { type: String, default: null },
    ip: { type: String, default: null },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  collectionOptions('sessions'),
);
// listByUser (most recently seen first) and deleteAllOfUser.
sessionSchema.index({ userId: 1, lastSeenAt: -1 }, { name: 'user_recent' });
sessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expires_ttl' });
sanitizeQueries(sessionSchema);
