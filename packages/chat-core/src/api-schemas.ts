/**
 * The schemas of the API in one place, for hosts that generate API documents (OpenAPI, AsyncAPI)
 * from exactly what the engine validates: every operation's input schema (the one its
 * `parseInput` applies) and the view schemas of what it answers.
 */
import { z } from 'zod';
import {
  addMembersSchema,
  announcementSchema,
  createGroupSchema,
  joinSchema,
  muteSchema,
  transferSchema,
  updateGroupSchema,
} from './groups/schemas.js';
import {
  changePasswordSchema,
  emailOnlySchema,
  loginSchema,
  registerSchema,
  resetPasswordSchema,
  searchSchema,
  updateProfileSchema,
  updateSettingsSchema,
  verifyEmailSchema,
} from './identity/schemas.js';
import { pushSubscriptionSchema } from './integrations/push-service.js';
import { formatSchema } from './invites/invite-service.js';
import {
  editSchema,
  emojiSchema,
  historySchema,
  markReadSchema,
  readersSchema,
  searchMessagesSchema,
  sendGroupSchema,
  sendPrivateSchema,
  threadSchema,
} from './messaging/schemas.js';
import { listRequestsSchema, sendFriendRequestSchema, targetUserSchema } from './social/schemas.js';
import { pageInputSchema } from './util/pagination.js';

export * from './domain/view-schemas.js';

/**
 * The input schema of each REST operation, by operation. The ones whose limits follow the
 * engine's config are built from it, as the engine builds them.
 */
export function operationSchemas(config: { groupMaxMembers: number }) {
  return {
    register: registerSchema,
    verifyEmail: verifyEmailSchema,
    emailOnly: emailOnlySchema,
    login: loginSchema,
    resetPassword: resetPasswordSchema,
    changePassword: changePasswordSchema,
    updateProfile: updateProfileSchema,
    updateSettings: updateSettingsSchema,
    pushSubscription: pushSubscriptionSchema,
    searchUsers: searchSchema,
    page: pageInputSchema,
    sendFriendRequest: sendFriendRequestSchema,
    listFriendRequests: listRequestsSchema,
    targetUser: targetUserSchema,
    history: historySchema,
    sendPrivate: sendPrivateSchema,
    sendGroup: sendGroupSchema,
    markRead: markReadSchema,
    readers: readersSchema,
    editMessage: editSchema.omit({ messageId: true }),
    addReaction: z.object({ emoji: emojiSchema }),
    thread: threadSchema,
    pin: z.object({ messageId: editSchema.shape.messageId }),
    searchMessages: searchMessagesSchema,
    createGroup: createGroupSchema(config.groupMaxMembers),
    updateGroup: updateGroupSchema,
    addMembers: addMembersSchema(config.groupMaxMembers),
    joinGroup: joinSchema,
    mute: muteSchema,
    announcement: announcementSchema,
    transfer: transferSchema,
    qrFormat: formatSchema,
  } satisfies Record<string, z.ZodType>;
}
