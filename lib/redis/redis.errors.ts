import { ChannelsException } from '../protocol/channels.exception.js';
import { isUnavailable } from '../protocol/unavailable.js';

// What ioredis rejects a command with when there is no connection to send it on, or the one
// it was sent on was lost: no offline queue (standalone and Cluster), a closed connection, a
// queue given up on after `maxRetriesPerRequest` reconnects, a command aborted by a close, no
// reachable Cluster node.
const NO_CONNECTION = [
  "Stream isn't writeable",
  "Cluster isn't ready",
  'Connection is closed.',
  'Command aborted due to connection close',
  'Reached the max retries per request limit',
  'Failed to refresh slots cache',
  'None of startup nodes is available',
];
// What a reachable Redis answers while it cannot serve yet: loading its data, no master, a
// Cluster without quorum or in the middle of moving a slot, a replica after a failover, a busy
// script. Each passes; the command may be sent again.
const NOT_SERVING = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|BUSY)\b/;
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  'EAI_AGAIN',
]);

/**
 * Whether a Redis error means "Redis cannot be reached (or cannot serve) right now", as opposed
 * to a command that is wrong (a script error, a wrong type): the former is the retryable
 * `UNAVAILABLE`, the latter a fault.
 * @example isRedisConnectionError(new Error("Stream isn't writeable and enableOfflineQueue options is false")) // true
 */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  const { message } = error;
  return NO_CONNECTION.some((text) => message.includes(text)) || NOT_SERVING.test(message);
}

/**
 * The error to pass on for what a Redis call rejected with: the retryable `UNAVAILABLE` for a
 * connection error, the error itself otherwise.
 * @example catch (error) { throw asUnavailable(error); }
 */
export function asUnavailable(error: unknown): unknown {
  if (isUnavailable(error) || !isRedisConnectionError(error)) return error;
  return ChannelsException.unavailable('Redis is unreachable for now: retry shortly.');
}

/**
 * Awaits a Redis call; its connection errors reject as the retryable `UNAVAILABLE`.
 * @example await unavailableOnDisconnect(redis.client.publish(topic, text))
 * @throws ChannelsException `UNAVAILABLE` for a connection error; the error itself otherwise
 */
export async function unavailableOnDisconnect<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw asUnavailable(error);
  }
}
