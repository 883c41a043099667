/**
 * Invite tokens are signed, not stored: `base64url(JSON payload) + '.' + base64url(HMAC-SHA256)`.
 * The key is derived from the engine's `jwtSecret`, so a token cannot be forged without it, and a
 * token is revoked by raising the version it carries (rotation) or by its expiry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** A personal invite: add user `id` as a friend while their invite version is still `v`. */
export interface UserInvitePayload {
  k: 'u';
  id: string;
  v: number;
}

/** A group invite: join group `id` while its invite version is `v`, until `exp` (seconds since epoch). */
export interface GroupInvitePayload {
  k: 'g';
  id: string;
  v: number;
  exp: number;
}

export type InvitePayload = UserInvitePayload | GroupInvitePayload;

const payloadSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('u'), id: z.string().min(1).max(128), v: z.number().int().min(0) }),
  z.object({
    k: z.literal('g'),
    id: z.string().min(1).max(128),
    v: z.number().int().min(0),
    exp: z.number().int().positive(),
  }),
]);

/** Signs and verifies invite tokens with a key of their own, derived from `secret`. */
export interface InviteSigner {
  sign(payload: InvitePayload): string;
  /** The payload of a genuine token, or null for anything malformed or forged. */
  verify(token: string): InvitePayload | null;
}

export function inviteSigner(secret: string): InviteSigner {
  // A key of its own, so an invite signature can never double as anything signed with the JWT secret.
  const key = createHmac('sha256', secret).update('parley:invite').digest();
  const mac = (data: string) => createHmac('sha256', key).update(data).digest();

  return {
    sign(payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${body}.${mac(body).toString('base64url')}`;
    },
    verify(token) {
      if (token.length > 1024) return null;
      const parts = token.split('.');
      if (parts.length !== 2) return null;
      const [body, signature] = parts as [string, string];
      if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(signature)) return null;
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      try {
        const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
  };
}
