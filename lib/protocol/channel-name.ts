import { ChannelsException } from './channels.exception.js';
import { CHANNEL_NAME_RULE, isChannelName } from './channel-name.rule.js';
import { ErrorCode } from './frames.js';

export { isChannelName } from './channel-name.rule.js';

/**
 * Checks a channel name (the rule of {@link isChannelName}).
 * @throws ChannelsException `BAD_REQUEST` naming the rule, for an invalid one.
 */
export function assertChannelName(name: unknown): asserts name is string {
  if (!isChannelName(name)) throw new ChannelsException(ErrorCode.BAD_REQUEST, CHANNEL_NAME_RULE);
}
