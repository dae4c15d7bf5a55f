import type { Connection } from '../connection/connection.js';
import { CloseCode } from '../protocol/frames.js';

/** A connection a transport can also cut off at once, without a close handshake. */
export type TerminableConnection = Connection & { terminate(): void };

/**
 * Closes every connection with 1001, waits for each to finish closing until `deadline`, then
 * terminates those still open, so a shutdown never hangs on a client that does not answer.
 */
export async function closeGracefully(
  connections: TerminableConnection[],
  deadline: Promise<void>,
): Promise<void> {
  const closed = connections.map(
    (connection) => new Promise<void>((resolve) => connection.onClose(resolve)),
  );
  for (const connection of connections) {
    connection.close(CloseCode.GOING_AWAY, 'server shutting down');
  }
  await Promise.race([Promise.all(closed), deadline]);
  for (const connection of connections) if (!connection.closed) connection.terminate();
}
