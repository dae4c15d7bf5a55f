import type { ArgumentsHost } from '@nestjs/common';
import type { HandshakeClient } from '../connection/handshake.js';
import { StreamedReply, streamOf } from './streamed-reply.js';

/** Nest's metadata keys (the same in Nest 11 and 12). */
export const NEST_KEYS = {
  guards: '__guards__',
  interceptors: '__interceptors__',
  filters: '__exceptionFilters__',
  pipes: '__pipes__',
} as const;

/**
 * The reply rule of a handler that returns a stream (an `Observable` or an async iterable),
 * applied to what the handler returned (before any interceptor of the app sees it): the stream
 * is wrapped in a {@link StreamedReply}, which Nest's pipeline passes on as a value, and the
 * router streams it on a stream channel (docs/protocol.md, "Streamed replies"). Its values are
 * not read here, and a dropped connection does not cancel it. Any other result is returned as
 * it is.
 */
export function replyRule(result: unknown, _client: HandshakeClient): unknown {
  const source = streamOf(result);
  return source ? new StreamedReply(source) : result;
}

/**
 * The last exception filter of a handler without filters of its own: it hands the exception
 * back unlogged (Nest's fallback would log it once more, with no context), for the router to
 * answer and log once with the command's context.
 */
export const passThroughFilter = {
  catch(exception: unknown, _host: ArgumentsHost): Promise<never> {
    return Promise.reject(exception);
  },
};
