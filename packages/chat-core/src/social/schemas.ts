/** Input schemas of the friends and blacklist operations, one per operation. */
import { z } from 'zod';
import { emailSchema } from '../identity/schemas.js';
import { pageInputSchema } from '../util/pagination.js';
import { idSchema } from '../util/validate.js';

const requestMessage = z
  .string()
  .trim()
  .refine((value) => [...value].length <= 200, { message: 'must be at most 200 characters' })
  .transform((value) => (value.length === 0 ? null : value))
  .nullable()
  .optional();

/** `{ userId }` or `{ email }`, with an optional greeting. */
export const sendFriendRequestSchema = z.union([
  z.object({ userId: idSchema, message: requestMessage }),
  z.object({ email: emailSchema, message: requestMessage }),
]);

export const listRequestsSchema = pageInputSchema.extend({
  direction: z.enum(['incoming', 'outgoing']).default('incoming'),
});

export const targetUserSchema = z.object({ userId: idSchema });

export { idSchema, pageInputSchema };
