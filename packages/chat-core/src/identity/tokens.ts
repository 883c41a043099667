/**
 * Session tokens: HS256 JWTs carrying `sub`, `jti`, `iat`, `exp` and `ver` (the user's token
 * version when issued). Times come from the engine's clock so tests can move them.
 */
import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ChatConfig } from '../config.js';
import type { EngineContext } from '../context.js';
import type { UserRecord } from '../domain/records.js';
import { ChatError } from '../errors.js';
import { durationToMs } from '../util/time.js';
import type { Session } from './auth-service.js';

interface TokenClaims {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  ver: number;
}

/**
 * The JWT secret as a key object, made once per secret (keyed by the secret itself, so a changed
 * configuration is never answered with an old key). Given the secret as a string, jsonwebtoken
 * first tries to read it as a PEM key on every sign and verify, and builds and throws away an
 * error each time: most of what signing a token or checking one at a handshake cost.
 */
const secretKeys = new Map<string, KeyObject>();
function secretKeyOf(config: Pick<ChatConfig, 'jwtSecret'>): KeyObject {
  let key = secretKeys.get(config.jwtSecret);
  if (key === undefined) {
    key = createSecretKey(Buffer.from(config.jwtSecret));
    secretKeys.set(config.jwtSecret, key);
  }
  return key;
}

/** Signs a new token for the user at their current token version. */
export function issueToken(ctx: EngineContext, user: UserRecord): { token: string; session: Session } {
  const nowMs = ctx.clock.now().getTime();
  const iat = Math.floor(nowMs / 1000);
  const exp = Math.max(iat + 1, Math.floor((nowMs + durationToMs(ctx.config.jwtExpiresIn)) / 1000));
  const claims: TokenClaims = {
    sub: user.id,
    jti: randomBytes(16).toString('base64url'),
    iat,
    exp,
    ver: user.tokenVersion,
  };
  const token = jwt.sign(claims, secretKeyOf(ctx.config), { algorithm: 'HS256' });
  return { token, session: toSession(claims) };
}

function toSession(claims: TokenClaims): Session {
  return {
    userId: claims.sub,
    jti: claims.jti,
    issuedAt: new Date(claims.iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
  };
}

function isClaims(value: unknown): value is TokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.sub === 'string' &&
    c.sub.length > 0 &&
    typeof c.jti === 'string' &&
    c.jti.length > 0 &&
    Number.isInteger(c.iat) &&
    Number.isInteger(c.exp) &&
    Number.isInteger(c.ver)
  );
}

/**
 * Checks a token: signature (HS256 only), expiry against the engine clock, shape, revocation of
 * its `jti`, and that the user still exists at a token version no newer than the token's.
 */
export async function verifyToken(ctx: EngineContext, token: unknown): Promise<Session> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
    throw new ChatError('UNAUTHORIZED');
  }
  let payload: unknown;
  try {
    payload = jwt.verify(token, secretKeyOf(ctx.config), {
      algorithms: ['HS256'],
      clockTimestamp: Math.floor(ctx.clock.now().getTime() / 1000),
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw new ChatError('TOKEN_EXPIRED');
    throw new ChatError('UNAUTHORIZED', 'Invalid token');
  }
  if (!isClaims(payload)) throw new ChatError('UNAUTHORIZED', 'Invalid token');
  const [revoked, user] = await Promise.all([
    ctx.store.authTokens.isTokenRevoked(payload.jti),
    ctx.store.users.getById(payload.sub),
  ]);
  if (revoked || !user || payload.ver < user.tokenVersion) {
    throw new ChatError('UNAUTHORIZED', 'The session has ended');
  }
  return toSession(payload);
}
