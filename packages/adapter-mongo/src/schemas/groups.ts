import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `groups`: `memberCount` is kept by the store with conditional `$inc`s. */
export const groupSchema = new Schema(
  {
    _id: { type: IdType, required: true },
    name: { type: String, required: true },
    avatarUrl: { type: String, default: null },
    ownerId: { type: IdType, required: true },
    /** `{ text, updatedAt, updatedBy }` or null; Mixed so it is stored exactly as the store builds it. */
    announcement: { type: Schema.Types.Mixed, default: null },
    joinPolicy: { type: String, required: true },
    muteAll: { type: Boolean, required: true },
    maxMembers: { type: Number, required: true },
    memberCount: { type: Number, required: true },
    inviteVersion: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    dissolvedAt: { type: Date, default: null },
  },
  collectionOptions('groups'),
);
sanitizeQueries(groupSchema);
