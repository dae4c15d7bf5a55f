import { ChannelsException } from './channels.exception.js';
import { ErrorCode } from './frames.js';

/**
 * Whether an error is the retryable `UNAVAILABLE` (a broker or store that is briefly away):
 * passed on as it is, and never logged per command.
 * @example if (isUnavailable(error)) return; // the outage was logged once, where it began
 */
export function isUnavailable(error: unknown): error is ChannelsException {
  return error instanceof ChannelsException && error.code === ErrorCode.UNAVAILABLE;
}
