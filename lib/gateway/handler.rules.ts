import type { ArgumentsHost } from '@nestjs/common';
import { defaultIfEmpty, isObservable, Observable, Subject, take, takeUntil } from 'rxjs';
import type { HandshakeClient } from '../connection/handshake.js';

/** Nest's metadata keys (the same in Nest 11 and 12). */
export const NEST_KEYS = {
  guards: '__guards__',
  interceptors: '__interceptors__',
  filters: '__exceptionFilters__',
  pipes: '__pipes__',
} as const;

const closing = new WeakMap<object, Subject<void>>();

// One close listener per connection, however many commands it sends.
function closed(client: HandshakeClient): Observable<void> {
  const onClose = (client as { onClose?: (listener: () => void) => void }).onClose;
  if (typeof onClose !== 'function') return new Observable<void>();
  let subject = closing.get(client);
  if (!subject) {
    const created = new Subject<void>();
    closing.set(client, created);
    onClose.call(client, () => {
      created.next();
      created.complete();
    });
    subject = created;
  }
  return subject;
}

/**
 * The reply rule of a handler that returns an `Observable`, applied to what the handler
 * returned (before any interceptor of the app sees it): its first value is the reply and the
 * Observable is then unsubscribed; one that completes without a value replies `null`; one still
 * running when its connection closes is unsubscribed (its work cancelled). A command has
 * exactly one reply (docs/protocol.md), so this differs from Nest's gateways, which send every
 * value: a stream is a channel. Any other result is returned as it is.
 */
export function replyRule(result: unknown, client: HandshakeClient): unknown {
  if (!isObservable(result)) return result;
  return result.pipe(take(1), takeUntil(closed(client)), defaultIfEmpty(null));
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
