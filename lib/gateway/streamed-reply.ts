import { isObservable, type Observable } from 'rxjs';

/**
 * What a handler may stream: an `Observable` (each value a push, unsubscribed on cancel) or an
 * async iterable such as an async generator (each value a push, `return()` on cancel).
 * @example const source: StreamSource<string> = (async function* () { yield 'hello'; })();
 */
export type StreamSource<T = unknown> = Observable<T> | AsyncIterable<T>;

/**
 * A handler's streamed answer, as it leaves Nest's pipeline: a plain object, so neither Nest's
 * `ExternalContextCreator` (which would wait for an Observable's last value) nor an app's
 * interceptor consumes the stream; the router runs it (docs/protocol.md, "Streamed replies").
 * An interceptor of the app sees this object, not the values.
 * @example if (result instanceof StreamedReply) start(result.source);
 */
export class StreamedReply<T = unknown> {
  constructor(
    /** The handler's Observable or async iterable, not yet subscribed or iterated. */
    readonly source: StreamSource<T>,
  ) {}
}

/**
 * The stream a handler answered with, if it answered with one: a {@link StreamedReply}, an
 * `Observable` or an async iterable (a string or an array is a value, not a stream).
 * @example const source = streamOf(result); if (source) run(source);
 */
export function streamOf(result: unknown): StreamSource | undefined {
  if (result instanceof StreamedReply) return result.source;
  if (isObservable(result)) return result;
  if (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  )
    return result as AsyncIterable<unknown>;
  return undefined;
}
