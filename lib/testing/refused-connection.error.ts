// A refused SSE stream gets the close code a WebSocket client gets for the same refusal (the
// protocol gives both transports the same refusals), so one test can assert on either.
import { CLOSE_CODE_BY_HTTP_STATUS } from '../protocol/codes.js';
import type { ErrorBody } from '../protocol/frames.js';
import type { TransportName } from '../protocol/transport-name.js';

/**
 * A connection the server refused at its handshake: a WebSocket closed before its welcome, an
 * SSE stream answered with an HTTP error, or (in process) a handshake guard that threw.
 *
 * @example
 * await expect(connectTestClient(app, { token: 'wrong' })).rejects.toMatchObject({ closeCode: 4401 });
 */
export class RefusedConnectionError extends Error {
  /**
   * The close code a WebSocket client gets (4401, 4403, 4429, 1011 …); over SSE, the one that
   * matches the HTTP status (401 → 4401, 403 → 4403, 429 → 4429, 500 → 1011, 503 → 1001).
   */
  readonly closeCode?: number;
  /** The HTTP status, when the refusal was one (SSE, or a WebSocket upgrade answered 403/503). */
  readonly status?: number;
  /** The error body of an HTTP refusal, or the error a guard threw (in process). */
  readonly body?: ErrorBody;

  constructor(
    readonly transport: TransportName,
    refusal: { closeCode?: number; status?: number; reason?: string; body?: ErrorBody },
  ) {
    const closeCode =
      refusal.closeCode ??
      (refusal.status === undefined ? undefined : CLOSE_CODE_BY_HTTP_STATUS[refusal.status]);
    const what = refusal.status !== undefined ? `HTTP ${refusal.status}` : `close ${closeCode}`;
    const why = refusal.body?.message ?? refusal.reason;
    super(`The server refused the ${transport} connection: ${what}${why ? ` (${why})` : ''}.`);
    this.name = 'RefusedConnectionError';
    if (closeCode !== undefined) this.closeCode = closeCode;
    if (refusal.status !== undefined) this.status = refusal.status;
    if (refusal.body !== undefined) this.body = refusal.body;
  }
}
