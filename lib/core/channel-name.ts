import { ChannelsException } from '../exceptions/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';

const CHANNEL_NAME = /^[A-Za-z0-9:_\-.@#/=]{1,255}$/;

/**
 * Whether `name` is a valid channel name: 1 to 255 of `[A-Za-z0-9:_\-.@#/=]`.
 * @example isChannelName('user:42') // true; isChannelName('user 42') // false
 */
export function isChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME.test(name);
}

/**
 * Checks a channel name.
 * @throws ChannelsException `BAD_REQUEST` naming the rule, for an invalid one.
 */
export function assertChannelName(name: unknown): asserts name is string {
  if (!isChannelName(name)) {
    throw new ChannelsException(
      ErrorCode.BAD_REQUEST,
      'A channel name is 1 to 255 characters of A-Z a-z 0-9 : _ - . @ # / =.',
    );
  }
}
