import type { ServerResponse } from 'node:http';
import { HTTP_STATUS_BY_CODE } from '../protocol/codes.js';
import { toErrorBody } from '../protocol/error-body.mapper.js';
import type { ErrorFrame } from '../protocol/frames.js';
import { stringifyFrame } from '../protocol/binary-value.js';

/** Writes a JSON response, unless the response has already started or the client has gone. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  // A reply may hold bytes: `{ "$binary": … }`, as on every JSON transport.
  const text = stringifyFrame(body);
  response
    .writeHead(status, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-store',
    })
    .end(text);
}

/**
 * The `Retry-After` value for a wait of `retryAfterMs`: whole seconds, rounded up, at least 1.
 * @example retryAfterSeconds(900) // '1'
 */
export function retryAfterSeconds(retryAfterMs: number): string {
  return String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
}

/**
 * Answers an error frame with the HTTP status of its code (`HTTP_STATUS_BY_CODE`), and a
 * `Retry-After` (whole seconds, rounded up) when it carries `retryAfterMs` (`RATE_LIMITED`,
 * `UNAVAILABLE`).
 */
export function sendErrorFrame(
  response: ServerResponse,
  frame: ErrorFrame,
  headers: Record<string, string> = {},
): void {
  const status = frame.error.status ?? HTTP_STATUS_BY_CODE[frame.error.code] ?? 500;
  const retry = frame.error.retryAfterMs;
  const extra =
    retry === undefined ? headers : { ...headers, 'Retry-After': retryAfterSeconds(retry) };
  sendJson(response, status, frame, extra);
}

/** Answers anything thrown with `{ "error": { code, message } }` and the matching status. */
export function sendError(
  response: ServerResponse,
  error: unknown,
  headers: Record<string, string> = {},
): void {
  sendErrorFrame(response, { error: toErrorBody(error) }, headers);
}
