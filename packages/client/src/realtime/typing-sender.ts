/**
 * Outgoing typing indicators, throttled: at most one start per `throttleMs` while the user keeps
 * typing, and a stop once they have been idle for `idleMs` (or at once on `stop`).
 */

/** Options of {@link createTypingSender}. */
export interface TypingOptions {
  /** At most one `isTyping: true` per conversation this often. @default 3000 */
  throttleMs?: number;
  /** Sends `isTyping: false` after this long without a keystroke. @default 5000 */
  idleMs?: number;
  /** Someone else's indicator that never hears its stop disappears after this long. @default 6000 */
  expireMs?: number;
}

/** The outgoing typing state of every conversation. */
export interface TypingSender {
  /** A keystroke in the conversation. */
  keystroke(conversationId: string): void;
  /** The user stopped (sent the message, left the field): a stop now, if a start went out. */
  stop(conversationId: string): void;
  clear(): void;
}

/** Creates a {@link TypingSender}; `emit` sends one `typing_status`. */
export function createTypingSender(
  options: TypingOptions,
  emit: (conversationId: string, isTyping: boolean) => void,
): TypingSender {
  const throttleMs = options.throttleMs ?? 3000;
  const idleMs = options.idleMs ?? 5000;
  const state = new Map<string, { startedAt: number; idle: ReturnType<typeof setTimeout> }>();
  const stop = (conversationId: string) => {
    const current = state.get(conversationId);
    if (!current) return;
    clearTimeout(current.idle);
    state.delete(conversationId);
    emit(conversationId, false);
  };
  return {
    keystroke(conversationId) {
      const now = Date.now();
      const current = state.get(conversationId);
      if (current) clearTimeout(current.idle);
      const start = !current || now - current.startedAt >= throttleMs;
      const startedAt = start ? now : current.startedAt;
      if (start) emit(conversationId, true);
      const idle = setTimeout(() => stop(conversationId), idleMs);
      state.set(conversationId, { startedAt, idle });
    },
    stop,
    clear() {
      for (const { idle } of state.values()) clearTimeout(idle);
      state.clear();
    },
  };
}
