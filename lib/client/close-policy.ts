import { CloseCode } from '../protocol/codes.js';
import type { ChannelsErrorCode } from './channels.error.js';

/**
 * What the client does after a connection ends: the answer of {@link decideOnClose}.
 * @example decideOnClose(4403) // { action: 'stop', error: 'FORBIDDEN' }
 */
export type CloseDecision =
  | { action: 'stop'; error: ChannelsErrorCode }
  | {
      action: 'reconnect';
      /** `backoff`: the jittered exponential schedule; `long`: the long delay of 4429. */
      delay: 'backoff' | 'long';
      /** The schedule starts at least at this attempt (a higher ceiling for a failing server). */
      minAttempt: number;
      /** Fetch a fresh token (`getToken`) before the next attempt. */
      refreshToken: boolean;
    };

const reconnect = (minAttempt = 0, refreshToken = false): CloseDecision => ({
  action: 'reconnect',
  delay: 'backoff',
  minAttempt,
  refreshToken,
});

/**
 * The close-code table of docs/protocol.md, from the client's side:
 *
 * | code | decision |
 * |---|---|
 * | 1000 normal | stop |
 * | 4403 forbidden | stop |
 * | 4401 credentials | refresh the token, reconnect |
 * | 4429 too many | reconnect after the long delay |
 * | 1011 internal error | reconnect, backoff from a 2 s ceiling |
 * | 1001, 1012 going away, restart | reconnect with jittered backoff |
 * | 1013 busy (an upgrade shed with HTTP 503) | reconnect, backoff from a 1 s ceiling |
 * | 4408 heartbeat, 4008 slow consumer | reconnect and recover |
 * | 1009 too big | reconnect; the command in flight is failed, never resent |
 * | anything else (1006 network) | reconnect with backoff |
 *
 * @example decideOnClose(4401) // { action: 'reconnect', refreshToken: true, ... }
 */
export function decideOnClose(code: number): CloseDecision {
  switch (code) {
    case CloseCode.NORMAL:
      return { action: 'stop', error: 'CLOSED' };
    case CloseCode.FORBIDDEN:
      return { action: 'stop', error: 'FORBIDDEN' };
    case CloseCode.UNAUTHORIZED:
      return reconnect(0, true);
    case CloseCode.TOO_MANY:
      return { action: 'reconnect', delay: 'long', minAttempt: 0, refreshToken: false };
    case CloseCode.INTERNAL_ERROR:
      return reconnect(2);
    case CloseCode.TRY_AGAIN_LATER:
      return reconnect(1);
    default:
      return reconnect();
  }
}

/**
 * Whether a WebSocket that closed before its welcome failed on the network (and so may be
 * blocked), rather than being refused by the server with a protocol code.
 */
export function isNetworkFailure(code: number): boolean {
  return code === 1006 || code === 1002 || code === 1015;
}
