import type { Duplex } from 'node:stream';
import { ErrorCode, type ErrorCode as Code } from '../protocol/frames.js';

// HTTP answers written straight to an upgrade request's socket, before (or instead of) the
// upgrade: Node's HTTP server has let go of the socket by then, so no `ServerResponse` exists.

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * Destroys the upgrade socket on an error, unless someone (`ws`, once it has the socket)
 * already listens: Node's HTTP server stops listening before it emits `upgrade`, and an
 * `error` nobody hears would crash the process. One shared listener, not a closure: a closure
 * would share its caller's scope and keep the whole handshake client alive with the socket.
 * @example if (!pacer.offer(job)) listenForErrors(socket); // it waits for its turn
 */
export function listenForErrors(socket: Duplex): void {
  if (socket.listenerCount('error') === 0) socket.on('error', destroyOnError);
}

const STATUS_TEXT: Record<number, string> = {
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/**
 * Answers an upgrade request with a plain HTTP error and closes the socket: a JSON body
 * `{ "error": { code, message } }` (or `error` as given), `Connection: close`.
 * @param extraHeaders raw header lines, each ending in CRLF (default none)
 * @example refuseHttp(socket, 403, ErrorCode.FORBIDDEN, 'This origin is not allowed.');
 */
export function refuseHttp(
  socket: Duplex,
  status: number,
  code: Code,
  message: string,
  extraHeaders = '',
  error: object = { code, message },
): void {
  const body = JSON.stringify({ error });
  const reason = STATUS_TEXT[status] ?? 'Error';
  listenForErrors(socket);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `${extraHeaders}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The protocol's answer to an upgrade during a graceful shutdown: HTTP 503, try again in a
 * second (`Retry-After: 1`).
 * @example if (closing) return refuseShuttingDown(socket);
 */
export function refuseShuttingDown(socket: Duplex): void {
  refuseHttp(socket, 503, ErrorCode.INTERNAL, 'The server is shutting down.', 'Retry-After: 1\r\n');
}
