import { Connection } from '../connection/connection.js';
import type { EncodedPush } from '../protocol/push.encoder.js';
import type { Handshake } from '../connection/handshake.js';

/**
 * The client of an HTTP POST not bound to an SSE stream: handlers run with it as with any
 * connection, but it has no stream, so it cannot subscribe and nothing is ever written to it.
 * It is not registered (it counts toward no connection limit) and lives for one request.
 *
 * Its `id` is stable per principal (per IP when anonymous), `http:<key>`, so that what is
 * counted per connection, such as rate limits, adds up across that principal's POSTs.
 *
 * @example
 * if (client.transient) // an SSE POST bound to no stream
 *   throw new ChannelsException(ErrorCode.BAD_REQUEST, 'This event needs an open stream.');
 */
export class TransientConnection<TPrincipal = unknown> extends Connection<TPrincipal> {
  readonly transport = 'sse' as const;
  override readonly id: string;
  override readonly transient = true;

  constructor(handshake: Handshake, principal: TPrincipal | undefined, key: string) {
    super(handshake, principal);
    this.id = `http:${key}`;
  }

  close(): void {
    this.markClosed();
  }

  /** Ends the request's use of the client; close listeners run. */
  dispose(): void {
    this.markClosed();
  }

  heartbeat(): void {}

  protected writeText(): void {}

  protected writePush(_push: EncodedPush): void {}
}
