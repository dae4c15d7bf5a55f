import { IntrinsicException } from '@nestjs/common';
import { HTTP_STATUS_BY_CODE, UNAVAILABLE_RETRY_AFTER_MS } from './codes.js';
import { ErrorCode, type ErrorBody, type ValidationDetail } from './frames.js';

/**
 * Extra fields of a {@link ChannelsException}.
 * @example
 * throw new ChannelsException(ErrorCode.RATE_LIMITED, 'Slow down.', { retryAfterMs: 5_000 });
 */
export interface ChannelsExceptionOptions {
  /** The command id the error answers, when known. */
  id?: number;
  /** Per-field details (for `VALIDATION_FAILED`). */
  details?: ValidationDetail[];
  /** How many details were left out of `details` (a `VALIDATION_FAILED` with many problems). */
  omitted?: number;
  /** For `RATE_LIMITED` and `UNAVAILABLE`: milliseconds until the client may try again. */
  retryAfterMs?: number;
  /**
   * The HTTP status to answer with, when it is not the code's own (503 for a busy server:
   * WebSocket close 1013 at the handshake).
   */
  status?: number;
}

/**
 * An error with a protocol error code. Throw it from a handler, guard, pipe or interceptor
 * and the client receives exactly this code and message in an error frame.
 *
 * @example
 * throw new ChannelsException(ErrorCode.FORBIDDEN, 'Only moderators may pin messages.');
 */
// Intrinsic: Nest's fallback exception handler does not log it (a client's mistake is not a
// server error); the router logs what is a fault.
export class ChannelsException extends IntrinsicException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: ChannelsExceptionOptions = {},
  ) {
    super(message);
    this.name = 'ChannelsException';
  }

  /**
   * The retryable `UNAVAILABLE` (status 503): something the command needs (the broker, a store)
   * cannot be reached for now, the command did not run, and the client may send it again after
   * `retryAfterMs`. The client SDK does so on its own; over HTTP it is a 503 with `Retry-After`.
   * @param message what is away, for the client @default 'The service is briefly unavailable: retry shortly.'
   * @param retryAfterMs @default 1000
   * @example if (!this.redis.isReady()) throw ChannelsException.unavailable('The notification store is unreachable.');
   */
  static unavailable(
    message = 'The service is briefly unavailable: retry shortly.',
    retryAfterMs: number = UNAVAILABLE_RETRY_AFTER_MS,
  ): ChannelsException {
    return new ChannelsException(ErrorCode.UNAVAILABLE, message, {
      retryAfterMs,
      status: HTTP_STATUS_BY_CODE[ErrorCode.UNAVAILABLE],
    });
  }

  /** The error frame's `error` body. */
  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.options.details) body.details = this.options.details;
    if (this.options.omitted !== undefined) body.omitted = this.options.omitted;
    if (this.options.retryAfterMs !== undefined) body.retryAfterMs = this.options.retryAfterMs;
    if (this.options.status !== undefined) body.status = this.options.status;
    return body;
  }
}
