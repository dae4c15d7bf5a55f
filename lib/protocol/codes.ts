/**
 * The codes of protocol v1 and how they map onto each other (docs/protocol.md): one table for
 * the server, the client SDK and the testing entry, so both ends of a connection agree. No
 * Node imports: the client SDK bundles this file for browsers.
 */

/**
 * The stable error codes of protocol v1.
 * @example throw new ChannelsException(ErrorCode.FORBIDDEN, 'Only moderators may pin messages.');
 */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  CLIENT_ERROR: 'CLIENT_ERROR',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

/**
 * One of the stable error codes.
 * @example if (body.code === 'RATE_LIMITED') await sleep(body.retryAfterMs ?? 1000);
 */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The WebSocket close codes of protocol v1 (SSE streams send the same codes in `event: close`).
 * @example channels.disconnect({ principal: user }, CloseCode.FORBIDDEN, 'account suspended');
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  SLOW_CONSUMER: 4008,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  HEARTBEAT_TIMEOUT: 4408,
  TOO_MANY: 4429,
} as const;

/**
 * One of the close codes.
 * @example const code: CloseCode = CloseCode.SERVICE_RESTART; // 1012
 */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * The HTTP status that carries each error code on the HTTP side of the SSE transport.
 * @internal
 * @example HTTP_STATUS_BY_CODE[ErrorCode.RATE_LIMITED] // 429
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.VALIDATION_FAILED]: 400,
  [ErrorCode.UNAUTHORIZED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.CLIENT_ERROR]: 400,
  [ErrorCode.UNKNOWN_EVENT]: 404,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL]: 500,
};

/**
 * The error code of an HTTP status: of an app's `HttpException` on the server, of an HTTP
 * answer without an error frame in the client (a proxy's error page). Another 4xx is
 * `CLIENT_ERROR` on the server; another 5xx is `INTERNAL` on both ends. A 503 is `UNAVAILABLE`:
 * the command did not run and may be sent again later.
 * @internal
 * @example ERROR_CODE_BY_STATUS[409] // 'CONFLICT'
 */
export const ERROR_CODE_BY_STATUS: Readonly<Partial<Record<number, ErrorCode>>> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.UNAVAILABLE,
};

/**
 * How long a client waits before sending again a command answered `UNAVAILABLE`, when the
 * server does not say otherwise: about the time a node takes to notice its broker is back.
 * @example new ChannelsException(ErrorCode.UNAVAILABLE, 'Redis is away.', { retryAfterMs: UNAVAILABLE_RETRY_AFTER_MS })
 */
export const UNAVAILABLE_RETRY_AFTER_MS = 1_000;

/**
 * The close code a WebSocket handshake refused with this error gets (another error: 1011).
 * @internal
 * @example REFUSAL_CLOSE_CODE_BY_ERROR[ErrorCode.RATE_LIMITED] // 4429
 */
export const REFUSAL_CLOSE_CODE_BY_ERROR: Readonly<Partial<Record<ErrorCode, CloseCode>>> = {
  [ErrorCode.UNAUTHORIZED]: CloseCode.UNAUTHORIZED,
  [ErrorCode.FORBIDDEN]: CloseCode.FORBIDDEN,
  [ErrorCode.RATE_LIMITED]: CloseCode.TOO_MANY,
};

/**
 * The error an SSE stream refused before its 200 answers with, by the close code a WebSocket
 * gets for the same refusal (the inverse of {@link REFUSAL_CLOSE_CODE_BY_ERROR}).
 * @internal
 * @example REFUSAL_ERROR_BY_CLOSE_CODE[4401] // 'UNAUTHORIZED'
 */
export const REFUSAL_ERROR_BY_CLOSE_CODE: Readonly<Partial<Record<number, ErrorCode>>> = {
  [CloseCode.UNAUTHORIZED]: ErrorCode.UNAUTHORIZED,
  [CloseCode.FORBIDDEN]: ErrorCode.FORBIDDEN,
  [CloseCode.TOO_MANY]: ErrorCode.RATE_LIMITED,
};

/**
 * The close code that matches the HTTP status an SSE handshake is refused with, so a client
 * sees the same refusal on either transport. 503 is a server going away (a graceful shutdown,
 * or a busy one shedding): reconnect later, as after a 1001.
 * @internal
 * @example CLOSE_CODE_BY_HTTP_STATUS[401] // 4401
 */
export const CLOSE_CODE_BY_HTTP_STATUS: Readonly<Partial<Record<number, CloseCode>>> = {
  401: CloseCode.UNAUTHORIZED,
  403: CloseCode.FORBIDDEN,
  429: CloseCode.TOO_MANY,
  500: CloseCode.INTERNAL_ERROR,
  503: CloseCode.GOING_AWAY,
};
