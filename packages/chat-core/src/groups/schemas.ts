/** One schema per group operation; limits that follow the config are built from it. */
import { z } from 'zod';
import { displayNameSchema, freeTextSchema } from '../util/text.js';
import { idSchema } from '../util/validate.js';

/** Longest group name, after trimming. */
export const GROUP_NAME_MAX = 64;
/** Longest announcement, after trimming. */
export const ANNOUNCEMENT_MAX = 2000;
/** Longest note on a join request. */
export const JOIN_MESSAGE_MAX = 200;
/** Longest mute: 30 days. */
export const MUTE_MAX_SECONDS = 30 * 24 * 3600;

const nameSchema = displayNameSchema(GROUP_NAME_MAX);
const avatarUrlSchema = z.url().max(2048).nullable();
const joinPolicySchema = z.enum(['open', 'approval', 'invite']);

export { idSchema as groupIdSchema };

/** `POST /api/groups`. */
export function createGroupSchema(groupMaxMembers: number) {
  return z.object({
    name: nameSchema,
    memberIds: z.array(idSchema).max(groupMaxMembers).default([]),
    joinPolicy: joinPolicySchema.default('approval'),
    announcement: freeTextSchema(ANNOUNCEMENT_MAX).optional(),
    avatarUrl: avatarUrlSchema.optional(),
    maxMembers: z.number().int().min(2).max(groupMaxMembers).default(groupMaxMembers),
  });
}

/** `PATCH /api/groups/:id`: at least one field. */
export const updateGroupSchema = z
  .object({
    name: nameSchema.optional(),
    avatarUrl: avatarUrlSchema.optional(),
    joinPolicy: joinPolicySchema.optional(),
    muteAll: z.boolean().optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), {
    message: 'nothing to change',
  });

/** `POST /api/groups/:id/members`. */
export function addMembersSchema(groupMaxMembers: number) {
  return z.object({ userIds: z.array(idSchema).min(1, 'at least one user').max(groupMaxMembers) });
}

/** `POST /api/groups/:id/join`. */
export const joinSchema = z.object({ message: freeTextSchema(JOIN_MESSAGE_MAX).optional() }).default({});

/** `POST /api/groups/:id/mutes`. */
export const muteSchema = z.object({
  userId: idSchema,
  durationSeconds: z.number().int().min(1).max(MUTE_MAX_SECONDS),
});

/** `PUT /api/groups/:id/announcement`: empty text clears it. */
export const announcementSchema = z.object({ text: freeTextSchema(ANNOUNCEMENT_MAX) });

/** `POST /api/groups/:id/transfer`. */
export const transferSchema = z.object({ userId: idSchema });

/** `PUT|DELETE /api/groups/:id/admins/:userId`. */
export const setAdminSchema = z.object({ targetId: idSchema, isAdmin: z.boolean() });
