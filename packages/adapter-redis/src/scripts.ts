/**
 * Lua scripts run atomically by Redis, with EVALSHA first and EVAL when the server has not cached
 * the script yet (after a restart, or a SCRIPT FLUSH).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A script and its SHA-1, as EVALSHA names it. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** Wraps Lua source for {@link runScript}. */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Runs `script` with `keys` and `args`; rejects when Redis cannot be reached. */
export async function runScript(
  client: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.source, keys.length, ...keys, ...args);
  }
}
