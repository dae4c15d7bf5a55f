import { HttpException, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode, type ErrorBody, type ValidationDetail } from '../protocol/frames.js';
import { ChannelsException } from './channels.exception.js';

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.UNKNOWN_EVENT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  429: ErrorCode.RATE_LIMITED,
};
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const logger = new Logger('Channels');

/**
 * Turns anything a handler, guard, pipe or interceptor threw into the `error` body of an
 * error frame. `ChannelsException` keeps its code; `HttpException` maps by status (400 with a
 * list of messages, as Nest's `ValidationPipe` throws, becomes `VALIDATION_FAILED`);
 * `WsException` becomes `BAD_REQUEST` unless its error object names a protocol code;
 * anything else is `INTERNAL` with a generic message, logged here and never sent.
 *
 * @example toErrorBody(new ForbiddenException('No.')) // { code: 'FORBIDDEN', message: 'No.' }
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof ChannelsException) return error.toBody();
  if (error instanceof HttpException) return fromHttpException(error);
  if (error instanceof WsException) return fromWsException(error);
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { code: ErrorCode.INTERNAL, message: 'Internal error.' };
}

function fromHttpException(error: HttpException): ErrorBody {
  const status = error.getStatus();
  const code = CODE_BY_STATUS[status];
  if (!code) {
    if (status >= 500) logger.error(error.stack ?? error.message);
    return { code: ErrorCode.INTERNAL, message: status >= 500 ? 'Internal error.' : error.message };
  }
  const response = error.getResponse();
  const message = readMessage(response) ?? error.message;
  if (status === 400 && Array.isArray(message)) {
    return {
      code: ErrorCode.VALIDATION_FAILED,
      message: 'The message failed validation.',
      details: groupByProperty(message.map(String)),
    };
  }
  const body: ErrorBody = { code, message: Array.isArray(message) ? message.join('; ') : message };
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
