/**
 * The Redis names of one channel. The channel sits in a hash tag (`{...}`), so its stream,
 * its metadata and its pub/sub channel hash to one cluster slot (channel names hold no braces).
 * @example redisKeys('channels', 'user:42') // { stream: 'channels:{user:42}:s', meta: 'channels:{user:42}:m', topic: 'channels:{user:42}' }
 */
export interface ChannelRedisKeys {
  /** The stream holding the channel's recent pushes (id `<offset>-0`). */
  stream: string;
  /** A hash: `e` the epoch, `o` the latest offset. */
  meta: string;
  /** The pub/sub channel its pushes travel on. */
  topic: string;
}

/** The Redis names of `channel` under `prefix`. */
export function redisKeys(prefix: string, channel: string): ChannelRedisKeys {
  const tag = `${prefix}:{${channel}}`;
  return { stream: `${tag}:s`, meta: `${tag}:m`, topic: tag };
}

/** The pub/sub channel of control messages, heard by every node. */
export function controlTopic(prefix: string): string {
  return `${prefix}:control`;
}

/** The channel a pub/sub topic made by {@link redisKeys} belongs to. */
export function channelOfTopic(prefix: string, topic: string): string | undefined {
  const head = `${prefix}:{`;
  return topic.startsWith(head) && topic.endsWith('}') ? topic.slice(head.length, -1) : undefined;
}
