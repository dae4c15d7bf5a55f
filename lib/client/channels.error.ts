import type { ErrorBody, ErrorCode, ValidationDetail } from '../protocol/frames.js';

/**
 * The codes a {@link ChannelsError} carries: the protocol's own error codes (what the server
 * answered), plus three the client adds when there is no answer to read:
 * - `TIMEOUT`: no answer within the request's `timeoutMs`;
 * - `DISCONNECTED`: the connection was lost while the command was in flight, so whether the
 *   server ran it is unknown (the SDK never resends it);
 * - `CLOSED`: the client was closed, or stopped for good (close code 1000 or 4403, or 4401
 *   without `getToken`).
 * @example if (error instanceof ChannelsError && error.code === 'TIMEOUT') return retry();
 */
export type ChannelsErrorCode = ErrorCode | 'TIMEOUT' | 'DISCONNECTED' | 'CLOSED';

/**
 * Extra fields of a {@link ChannelsError}.
 * @example new ChannelsError('RATE_LIMITED', 'Slow down.', { retryAfterMs: 900, status: 429 })
 */
export interface ChannelsErrorOptions {
  /** Per-field details of a `VALIDATION_FAILED`. */
  details?: ValidationDetail[];
  /** For `RATE_LIMITED` and `UNAVAILABLE`: how long to wait before trying again. */
  retryAfterMs?: number;
  /**
   * The error's HTTP status: an app's `HttpException` status carried by the frame (e.g. 409,
   * 418), else the HTTP answer's status (the SSE transport's POSTs).
   */
  status?: number;
  /** The channel, for an error about a subscription. */
  channel?: string;
}

/**
 * Why a request, a subscription or the connection failed.
 *
 * @example
 * try {
 *   await client.request('notifications.markRead', { ids: [] });
 * } catch (error) {
 *   if (error instanceof ChannelsError && error.code === 'VALIDATION_FAILED') showErrors(error.details);
 * }
 */
export class ChannelsError extends Error {
  /** Per-field details of a `VALIDATION_FAILED`. */
  readonly details?: ValidationDetail[];
  /** For `RATE_LIMITED` and `UNAVAILABLE`: how long to wait before trying again. */
  readonly retryAfterMs?: number;
  /** The error's HTTP status: the frame's `status`, else the HTTP answer's. */
  readonly status?: number;
  /** The channel, for an error about a subscription. */
  readonly channel?: string;

  constructor(
    readonly code: ChannelsErrorCode,
    message: string,
    options: ChannelsErrorOptions = {},
  ) {
    super(message);
    this.name = 'ChannelsError';
    if (options.details !== undefined) this.details = options.details;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.status !== undefined) this.status = options.status;
    if (options.channel !== undefined) this.channel = options.channel;
  }

  /** The error of an error frame's body. */
  static fromBody(
    body: ErrorBody,
    extra: Pick<ChannelsErrorOptions, 'status' | 'channel'> = {},
  ): ChannelsError {
    return new ChannelsError(body.code, body.message, {
      details: body.details,
      retryAfterMs: body.retryAfterMs,
      // The frame's own status (an app's HttpException), else the HTTP answer's.
      status: body.status ?? extra.status,
      channel: extra.channel,
    });
  }
}
