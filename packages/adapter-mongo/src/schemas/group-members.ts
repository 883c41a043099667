import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `group_members`: one document per membership; `roleRank` (owner 0, admin 1, member 2) orders listings. */
export const groupMemberSchema = new Schema(
  {
    groupId: { type: IdType, required: true },
    userId: { type: IdType, required: true },
    role: { type: String, required: true },
    roleRank: { type: Number, required: true },
    mutedUntil: { type: Date, default: null },
    joinedAt: { type: Date, required: true },
  },
  collectionOptions('group_members'),
);
groupMemberSchema.index({ groupId: 1, userId: 1 }, { unique: true, name: 'group_user_unique' });
groupMemberSchema.index({ userId: 1 }, { name: 'user' });
groupMemberSchema.index({ groupId: 1, roleRank: 1, joinedAt: 1, userId: 1 }, { name: 'group_ordered' });
sanitizeQueries(groupMemberSchema);
