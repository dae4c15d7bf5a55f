import type { Connection } from '../connection/connection.js';
import { CloseCode } from '../protocol/frames.js';
import { delay, type InFlightTracker } from './in-flight.tracker.js';

/** The part of the shutdown time kept for the close handshakes, at most. */
const CLOSE_SHARE_MS = 1_000;

/** A connection a transport can also cut off at once, without a close handshake. */
export type TerminableConnection = Connection & { terminate(): void };

/**
 * Closes every connection with `code` (1001 or 1012), waits for each to finish closing until `deadline`, then
 * terminates those still open, so a shutdown never hangs on a client that does not answer.
 */
async function closeGracefully(
  connections: TerminableConnection[],
  deadline: Promise<void>,
  code: number,
): Promise<void> {
  const closed = connections.map(
    (connection) => new Promise<void>((resolve) => connection.onClose(resolve)),
  );
  for (const connection of connections) {
    connection.close(code, 'server shutting down');
  }
  await Promise.race([Promise.all(closed), deadline]);
  for (const connection of connections) if (!connection.closed) connection.terminate();
}

/**
 * A transport's graceful shutdown within `timeoutMs`: in-flight work finishes first (nothing
 * can be written after a close), taking the time left once the closes have had their share,
 * then every connection `open()` lists is closed with `code` (the `shutdown.closeCode` option),
 * and terminated at the deadline.
 */
export async function drainAndClose(
  inflight: InFlightTracker,
  open: () => TerminableConnection[],
  timeoutMs: number,
  code: number = CloseCode.GOING_AWAY,
): Promise<void> {
  const deadline = delay(timeoutMs);
  const drained = delay(timeoutMs - Math.min(CLOSE_SHARE_MS, timeoutMs / 2));
  await inflight.drain(drained.promise);
  drained.cancel();
  await closeGracefully(open(), deadline.promise, code);
  deadline.cancel();
}
