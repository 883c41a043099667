/** The auth-tokens area of `memoryStore()`: one-time codes and revoked JWT ids. */
import type { CodePurpose, OneTimeCodeRecord } from '../../domain/records.js';
import type { AuthTokenStore } from '../../ports/store.js';

const copy = (code: OneTimeCodeRecord): OneTimeCodeRecord => structuredClone(code);
const slot = (userId: string, purpose: CodePurpose) => `${purpose}\u0000${userId}`;
const SWEEP_EVERY_MS = 60_000;

export function memoryAuthTokenStore(): AuthTokenStore {
  const codes = new Map<string, OneTimeCodeRecord>();
  const codeIdBySlot = new Map<string, string>();
  const codeIdByLink = new Map<string, string>();
  const revoked = new Map<string, number>();
  let lastSweep = Date.now();

  const remove = (code: OneTimeCodeRecord) => {
    codes.delete(code.id);
    if (codeIdBySlot.get(slot(code.userId, code.purpose)) === code.id) {
      codeIdBySlot.delete(slot(code.userId, code.purpose));
    }
    if (code.linkTokenHash !== null && codeIdByLink.get(code.linkTokenHash) === code.id) {
      codeIdByLink.delete(code.linkTokenHash);
    }
  };

  // Revocations only matter until the token expires on its own; forget them after that, like a
  // TTL index would, so a long-running process does not grow without bound.
  const sweep = () => {
    const now = Date.now();
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    for (const [jti, expiresAt] of revoked) if (expiresAt <= now) revoked.delete(jti);
  };

  return {
    async putCode(code) {
      const earlierId = codeIdBySlot.get(slot(code.userId, code.purpose));
      const earlier = earlierId === undefined ? undefined : codes.get(earlierId);
      if (earlier) remove(earlier);
      const stored = copy(code);
      codes.set(stored.id, stored);
      codeIdBySlot.set(slot(stored.userId, stored.purpose), stored.id);
      if (stored.linkTokenHash !== null) codeIdByLink.set(stored.linkTokenHash, stored.id);
    },
    async getCode(userId, purpose) {
      const id = codeIdBySlot.get(slot(userId, purpose));
      const code = id === undefined ? undefined : codes.get(id);
      return code ? copy(code) : null;
    },
    async getCodeByLinkTokenHash(hash) {
      const id = codeIdByLink.get(hash);
      const code = id === undefined ? undefined : codes.get(id);
      return code ? copy(code) : null;
    },
    async incrementCodeAttempts(codeId) {
      const code = codes.get(codeId);
      if (!code) return null;
      code.attempts += 1;
      return code.attempts;
    },
    async consumeCode(codeId) {
      const code = codes.get(codeId);
      if (!code) return false;
      remove(code);
      return true;
    },
    async revokeToken(jti, expiresAt) {
      sweep();
      const known = revoked.get(jti);
      revoked.set(jti, Math.max(known ?? 0, expiresAt.getTime()));
    },
    async isTokenRevoked(jti) {
      return revoked.has(jti);
    },
  };
}
