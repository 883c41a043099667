import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `users`: accounts; `nicknameLower` serves case-insensitive prefix search. */
export const userSchema = new Schema(
  {
    _id: { type: IdType, required: true },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
    nickname: { type: String, required: true },
    nicknameLower: { type: String, required: true },
    avatarUrl: { type: String, default: null },
    bio: { type: String, default: null },
    emailVerified: { type: Boolean, required: true },
    tokenVersion: { type: Number, required: true },
    inviteVersion: { type: Number, required: true },
    lastSeenAt: { type: Date, default: null },
    /** `PrivacySettings`; absent on users stored before it existed, read as the defaults. */
    privacy: {
      showLastSeen: { type: Boolean, default: true },
      showOnline: { type: Boolean, default: true },
      sendReadReceipts: { type: Boolean, default: true },
      pushPreviews: { type: Boolean, default: true },
    },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  collectionOptions('users'),
);
userSchema.index({ email: 1 }, { unique: true, name: 'email_unique' });
userSchema.index({ nicknameLower: 1, nickname: 1, _id: 1 }, { name: 'nickname_prefix' });
sanitizeQueries(userSchema);
