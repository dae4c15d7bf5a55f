/**
 * The Lua scripts of the Redis presence store. Each one touches the keys of one channel only
 * (`{channel}` hash tag: one slot), so it runs atomically on a Redis Cluster too:
 * - `<prefix>:{<channel>}:node:<nodeId>`: hash, principal key -> connections on that node
 * - `<prefix>:{<channel>}:keys`: hash, principal key -> connections on every node
 * - `<prefix>:{<channel>}:info`: hash, principal key -> info (JSON), while it is a member
 * A change (a key's first connection, its last) is published on the store's change channel
 * as `[channel, type, key, infoJson]`, which every node receives.
 */

/**
 * KEYS: node hash, keys hash, info hash. ARGV: key, info JSON, change channel, channel, how
 * many connections (1, or more when a node puts back what it held).
 */
export const JOIN_SCRIPT = `
local count = tonumber(ARGV[5])
redis.call('HINCRBY', KEYS[1], ARGV[1], count)
local total = redis.call('HINCRBY', KEYS[2], ARGV[1], count)
if total == count then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
  redis.call('PUBLISH', ARGV[3], cjson.encode({ARGV[4], 'join', ARGV[1], ARGV[2]}))
end
return total
`;

/** KEYS: node hash, keys hash, info hash. ARGV: key, change channel, channel. */
export const LEAVE_SCRIPT = `
local mine = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if mine <= 0 then return -1 end
if mine == 1 then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
local total = redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
if total <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
  local info = redis.call('HGET', KEYS[3], ARGV[1]) or 'null'
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('PUBLISH', ARGV[2], cjson.encode({ARGV[3], 'leave', ARGV[1], info}))
end
return total
`;

/**
 * Removes every connection a node holds in one channel (its shutdown, or its lease expired).
 * KEYS: node hash, keys hash, info hash. ARGV: change channel, channel.
 */
export const REMOVE_NODE_SCRIPT = `
local held = redis.call('HGETALL', KEYS[1])
local left = 0
for i = 1, #held, 2 do
  local key = held[i]
  local total = redis.call('HINCRBY', KEYS[2], key, -tonumber(held[i + 1]))
  if total <= 0 then
    redis.call('HDEL', KEYS[2], key)
    local info = redis.call('HGET', KEYS[3], key) or 'null'
    redis.call('HDEL', KEYS[3], key)
    redis.call('PUBLISH', ARGV[1], cjson.encode({ARGV[2], 'leave', key, info}))
    left = left + 1
  end
end
redis.call('DEL', KEYS[1])
return left
`;

/** KEYS: keys hash, info hash. Returns both hashes, read at one instant. */
export const MEMBERS_SCRIPT = `
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
`;
