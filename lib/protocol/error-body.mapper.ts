import { HttpException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode, type ErrorBody, type ValidationDetail } from './frames.js';
import { ERROR_CODE_BY_STATUS, UNAVAILABLE_RETRY_AFTER_MS } from './codes.js';
import { ChannelsException } from './channels.exception.js';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const GENERIC = 'Internal error.';

/**
 * Turns anything a handler, guard, pipe or interceptor threw into the `error` body of an
 * error frame. `ChannelsException` keeps its code; `HttpException` keeps its status (`status`)
 * and gets the code for it (`NOT_FOUND`, `CONFLICT`, `CLIENT_ERROR` for another 4xx; 400 with
 * a list of messages, as Nest's `ValidationPipe` throws, is `VALIDATION_FAILED`), with its
 * message for a 4xx; a 503 (`ServiceUnavailableException`) is the retryable `UNAVAILABLE`, with
 * its `retryAfterMs` (else 1000); `WsException` becomes `BAD_REQUEST` unless its error object
 * names a protocol code; another 5xx or anything else is `INTERNAL` with a generic message. It
 * logs nothing: whoever answers logs a fault ({@link isServerFault}) once, with its context.
 *
 * @example toErrorBody(new ConflictException('Taken.')) // { code: 'CONFLICT', status: 409, message: 'Taken.' }
 * @example toErrorBody(ChannelsException.unavailable()) // { code: 'UNAVAILABLE', status: 503, retryAfterMs: 1000, … }
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof ChannelsException) return error.toBody();
  if (error instanceof HttpException) return fromHttpException(error);
  if (error instanceof WsException) return fromWsException(error);
  return { code: ErrorCode.INTERNAL, message: GENERIC };
}

/**
 * Whether an error is the server's fault (to be logged, once): anything that is not a
 * `ChannelsException`, an `HttpException` under 500 (or a 503) or a `WsException`. A client's
 * mistake (`VALIDATION_FAILED`, `FORBIDDEN`, a 4xx) is not, nor is a backend that is briefly
 * away (`UNAVAILABLE`: the node logs the outage itself, once).
 * @example if (isServerFault(error)) logger.error(describeFault(error));
 */
export function isServerFault(error: unknown): boolean {
  if (error instanceof ChannelsException) return error.code === ErrorCode.INTERNAL;
  if (error instanceof HttpException) return error.getStatus() >= 500 && error.getStatus() !== 503;
  return !(error instanceof WsException);
}

function fromHttpException(error: HttpException): ErrorBody {
  const status = error.getStatus();
  if (status === 503) {
    const retryAfterMs = readNumber(error.getResponse(), 'retryAfterMs');
    return {
      code: ErrorCode.UNAVAILABLE,
      status,
      message: 'The service is briefly unavailable: retry shortly.',
      retryAfterMs: retryAfterMs ?? UNAVAILABLE_RETRY_AFTER_MS,
    };
  }
  if (status >= 500 || status < 400) return { code: ErrorCode.INTERNAL, status, message: GENERIC };
  const code = ERROR_CODE_BY_STATUS[status] ?? ErrorCode.CLIENT_ERROR;
  const response = error.getResponse();
  const message = readMessage(response) ?? error.message;
  if (status === 400 && Array.isArray(message)) {
    return {
      code: ErrorCode.VALIDATION_FAILED,
      status,
      message: 'The message failed validation.',
      details: groupByProperty(message.map(String)),
    };
  }
  const text = Array.isArray(message) ? message.join('; ') : message;
  const body: ErrorBody = { code, status, message: text };
  const retryAfterMs = readNumber(response, 'retryAfterMs');
  if (code === ErrorCode.RATE_LIMITED && retryAfterMs !== undefined)
    body.retryAfterMs = retryAfterMs;
  return body;
}

function fromWsException(error: WsException): ErrorBody {
  const raw = error.getError();
  if (typeof raw === 'object' && raw !== null) {
    const code = (raw as { code?: unknown }).code;
    const message = (raw as { message?: unknown }).message;
    return {
      code:
        typeof code === 'string' && KNOWN_CODES.has(code)
          ? (code as ErrorCode)
          : ErrorCode.BAD_REQUEST,
      message: typeof message === 'string' ? message : error.message,
    };
  }
  return { code: ErrorCode.BAD_REQUEST, message: String(raw) };
}

function readMessage(response: string | object): string | unknown[] | undefined {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return typeof message === 'string' || Array.isArray(message) ? message : undefined;
}

function readNumber(response: string | object, key: string): number | undefined {
  const value =
    typeof response === 'object' ? (response as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' ? value : undefined;
}

// class-validator messages start with the property path ("items.0.name must be a string").
function groupByProperty(messages: string[]): ValidationDetail[] {
  const byProperty = new Map<string, string[]>();
  for (const message of messages) {
    const property = message.split(' ', 1)[0] ?? '';
    byProperty.set(property, [...(byProperty.get(property) ?? []), message]);
  }
  return [...byProperty].map(([property, list]) => ({ property, messages: list }));
}
