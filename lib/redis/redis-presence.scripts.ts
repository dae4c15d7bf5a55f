/**
 * The Lua scripts of the Redis presence store. Each one touches the keys of one channel only
 * (`{channel}` hash tag: one slot), so it runs atomically on a Redis Cluster too:
 * - `<prefix>:{<channel>}:node:<nodeId>`: hash, principal key -> connections on that node
 * - `<prefix>:{<channel>}:keys`: hash, principal key -> connections on every node
 * - `<prefix>:{<channel>}:info`: hash, principal key -> info (JSON), while it is a member
 * The changes of one script (a key's first connection, its last) are published on the store's
 * change channel as one message, `[channel, 'diff', [[key, infoJson], …joins], [[key,
 * infoJson], …leaves]]`, which every node receives (cjson writes an empty list as `{}`).
 */

/**
 * Applies one node's netted changes of one channel (see `RedisPresenceBatch`) and publishes
 * them as one diff. KEYS: node hash, keys hash, info hash. ARGV: change channel, channel, then
 * for each key: key, delta (connections added, or removed when negative), info JSON. A key
 * becomes a member when its total goes from 0 up (its info is kept), and stops being one when
 * its total comes down to 0; a node never removes more connections than it holds.
 */
export const APPLY_SCRIPT = `
local joins, leaves = {}, {}
for i = 3, #ARGV, 3 do
  local key, delta = ARGV[i], tonumber(ARGV[i + 1])
  if delta < 0 then
    local mine = tonumber(redis.call('HGET', KEYS[1], key) or '0')
    if -delta > mine then delta = -mine end
  end
  if delta ~= 0 then
    if redis.call('HINCRBY', KEYS[1], key, delta) <= 0 then redis.call('HDEL', KEYS[1], key) end
    local total = redis.call('HINCRBY', KEYS[2], key, delta)
    if delta > 0 and total == delta then
      redis.call('HSET', KEYS[3], key, ARGV[i + 2])
      joins[#joins + 1] = {key, ARGV[i + 2]}
    elseif total <= 0 then
      redis.call('HDEL', KEYS[2], key)
      leaves[#leaves + 1] = {key, redis.call('HGET', KEYS[3], key) or 'null'}
      redis.call('HDEL', KEYS[3], key)
    end
  end
end
if #joins + #leaves > 0 then
  redis.call('PUBLISH', ARGV[1], cjson.encode({ARGV[2], 'diff', joins, leaves}))
end
return #joins + #leaves
`;

/**
 * Removes every connection a node holds in one channel (its shutdown, or its lease expired),
 * publishing its leaves as one diff.
 * KEYS: node hash, keys hash, info hash. ARGV: change channel, channel.
 */
export const REMOVE_NODE_SCRIPT = `
local held = redis.call('HGETALL', KEYS[1])
local leaves = {}
for i = 1, #held, 2 do
  local key = held[i]
  local total = redis.call('HINCRBY', KEYS[2], key, -tonumber(held[i + 1]))
  if total <= 0 then
    redis.call('HDEL', KEYS[2], key)
    leaves[#leaves + 1] = {key, redis.call('HGET', KEYS[3], key) or 'null'}
    redis.call('HDEL', KEYS[3], key)
  end
end
redis.call('DEL', KEYS[1])
if #leaves > 0 then
  redis.call('PUBLISH', ARGV[1], cjson.encode({ARGV[2], 'diff', {}, leaves}))
end
return #leaves
`;

/** KEYS: keys hash, info hash. Returns both hashes, read at one instant. */
export const MEMBERS_SCRIPT = `
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
`;
