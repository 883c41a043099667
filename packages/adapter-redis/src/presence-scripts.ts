/**
 * The presence store's atomic steps. A user's connections are a hash `connectionId → nodeId`; a
 * connection counts only while its node's heartbeat key exists, and entries of dead nodes are
 * dropped by whichever script next reads the hash. Keys of other nodes are built inside the
 * scripts, so they suit one Redis server (or a primary with replicas), not Redis Cluster.
 */
import { luaScript } from './scripts.js';

/** `live(hash, prefix)`: how many connections of the hash belong to a live node; drops the others. */
const LIVE = `
local function live(key, prefix)
  local entries = redis.call('HGETALL', key)
  local count = 0
  local alive = {}
  for i = 1, #entries, 2 do
    local node = entries[i + 1]
    local ok = alive[node]
    if ok == nil then
      ok = redis.call('EXISTS', prefix .. 'node:' .. node) == 1
      alive[node] = ok
    end
    if ok then count = count + 1 else redis.call('HDEL', key, entries[i]) end
  end
  return count
end
`;

/** KEYS: user hash. ARGV: prefix, connectionId, nodeId, ttlMs. Returns 1 when the user became online. */
export const CONNECT = luaScript(`${LIVE}
redis.call('SET', ARGV[1] .. 'node:' .. ARGV[3], '1', 'PX', ARGV[4])
local before = live(KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
if before == 0 then return 1 end
return 0
`);

/**
 * KEYS: user hash, last-seen key. ARGV: prefix, connectionId, at (ms), seenTtlSeconds.
 * Returns 1 when that was the user's last live connection (and then records `at` as last seen).
 */
export const DISCONNECT = luaScript(`${LIVE}
if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return 0 end
if live(KEYS[1], ARGV[1]) > 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
return 1
`);

/** KEYS: user hashes. ARGV: prefix. Returns one 0/1 per key. */
export const ONLINE = luaScript(`${LIVE}
local result = {}
for i = 1, #KEYS do
  if live(KEYS[i], ARGV[1]) > 0 then result[i] = 1 else result[i] = 0 end
end
return result
`);

/** KEYS: this node's heartbeat key. ARGV: ttlMs. Returns 1 when the key was still there. */
export const HEARTBEAT = luaScript(`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return existed
`);
