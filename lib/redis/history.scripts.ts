// The channel's epoch, created with the new epoch in ARGV[newEpochArg] (and an emptied stream)
// when its metadata is gone: both scripts start with it, so every node agrees on the epoch.
function channelEpoch(newEpochArg: number): string {
  return `local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[${newEpochArg}]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 'o', 0)
end
`;
}

/**
 * Appends a push and publishes it in one step, so that every node sees a channel's pushes in
 * offset order (as Centrifugo's Redis broker does). A channel whose metadata is gone (expired,
 * or lost in a Redis restart without persistence) gets a new epoch and starts again at 1.
 *
 * KEYS: stream, meta. ARGV: body, maxlen, ttl seconds, new epoch, topic ('' = none),
 * publish command (PUBLISH or SPUBLISH).
 * @returns { offset, epoch }
 */
export const APPEND_SCRIPT = `
${channelEpoch(4)}local offset = redis.call('HINCRBY', KEYS[2], 'o', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], offset .. '-0', 'p', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
if ARGV[5] ~= '' then
  redis.call(ARGV[6], ARGV[5], offset .. '\\n' .. epoch .. '\\n' .. ARGV[1])
end
return { offset, epoch }
`;

/**
 * A channel's position and, with a `since` offset, the stream entries after it. Creates the
 * metadata of a channel not seen yet, so every node answers with the same epoch.
 *
 * KEYS: stream, meta. ARGV: new epoch, ttl seconds, since offset ('' = none).
 * @returns { epoch, offset, entries }
 */
export const READ_SCRIPT = `
${channelEpoch(1)}redis.call('EXPIRE', KEYS[2], ARGV[2])
local offset = tonumber(redis.call('HGET', KEYS[2], 'o'))
local entries = {}
if ARGV[3] ~= '' and tonumber(ARGV[3]) < offset then
  entries = redis.call('XRANGE', KEYS[1], (tonumber(ARGV[3]) + 1) .. '-0', '+')
end
return { epoch, offset, entries }
`;
