import type { ChannelsError } from './channels.error.js';
import type { TransportName } from './client-transport.js';

/**
 * Where the client is:
 * `idle` (before `connect()`), `connecting` (first attempt), `connected`, `reconnecting`
 * (lost; waiting or attempting again), `closed` (stopped: `close()`, or a close code that
 * says stop).
 * @example if (client.state === 'reconnecting') showBanner('Reconnecting…');
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/**
 * A change of {@link ConnectionState}, with what caused it: the argument of the client's
 * `state` event.
 * @example
 * client.on('state', ({ state, delayMs }) => {
 *   if (state === 'reconnecting') showBanner(`Reconnecting in ${delayMs} ms`);
 * });
 */
export interface StateChange {
  state: ConnectionState;
  /** When connected: the transport in use. */
  transport?: TransportName;
  /** When connected: the server's id of this connection. */
  connectionId?: string;
  /** The close code that ended the previous connection (HTTP refusals are mapped to codes). */
  code?: number;
  /** The close reason that came with `code`. */
  reason?: string;
  /** When reconnecting: how long until the next attempt. */
  delayMs?: number;
  /** When reconnecting: how many attempts since the last connection. */
  attempt?: number;
  /** When closed: why. */
  error?: ChannelsError;
}
