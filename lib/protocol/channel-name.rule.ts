/**
 * The channel-name rule of protocol v1, for the server and the client SDK alike (no Node
 * imports: the SDK bundles it for browsers).
 */

/**
 * What a channel name is: 1 to 255 of `[A-Za-z0-9:_\-.@#/=]`.
 * @internal
 * @example CHANNEL_NAME_PATTERN.test('user:42') // true
 */
export const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9:_\-.@#/=]{1,255}$/;

/**
 * The rule in words, for error messages.
 * @internal
 * @example throw new ChannelsException(ErrorCode.BAD_REQUEST, CHANNEL_NAME_RULE);
 */
export const CHANNEL_NAME_RULE =
  'A channel name is 1 to 255 characters of A-Z a-z 0-9 : _ - . @ # / =.';

/**
 * Whether `name` is a valid channel name: 1 to 255 of `[A-Za-z0-9:_\-.@#/=]`.
 * @example isChannelName('user:42') // true; isChannelName('user 42') // false
 */
export function isChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME_PATTERN.test(name);
}
