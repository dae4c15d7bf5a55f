import type { PushFrame } from '../protocol/frames.js';
import { STREAM_EVENTS } from '../protocol/stream-channel.js';
import { ChannelsError } from './channels.error.js';

/**
 * Options of `ChannelsClient.stream`: callbacks (for code that does not iterate), a signal
 * that cancels the stream, and the wait for the reply.
 * @example client.stream('notifications.digest', {}, { onValue: (word) => append(word), signal });
 */
export interface StreamOptions<T = unknown> {
  /** Cancels the stream on the server (its handler's teardown runs) when aborted. */
  signal?: AbortSignal;
  /** Called with each value, in order, once each, across reconnects. */
  onValue?: (value: T) => void;
  /** Called once when the stream completed. */
  onEnd?: () => void;
  /** Called once when the stream failed, was refused, or could not be resumed. */
  onError?: (error: ChannelsError) => void;
  /** How long to wait for the reply that names the stream. @default the client's `requestTimeoutMs` */
  timeoutMs?: number;
}

/** What a {@link ReplyStream} asks of its client. */
export interface ReplyStreamHost {
  /** Leaves the stream channel (the server cancels the stream). */
  cancel(): void;
}

type Waiter<T> = { resolve(result: IteratorResult<T>): void; reject(error: unknown): void };

/**
 * A streamed reply as the SDK hands it out (docs/client.md, "Streamed replies"): an async
 * iterable of the handler's values, in order and once each, that resumes by itself after a
 * reconnect, on either transport. Leaving the loop (`break`, `return()`, an exception) or
 * aborting the `signal` cancels the stream on the server.
 * @example
 * for await (const word of client.stream('notifications.digest', {})) output.append(word);
 */
export class ReplyStream<T = unknown> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private waiters: Array<Waiter<T>> = [];
  private state: 'open' | 'ended' | 'failed' | 'cancelled' = 'open';
  private error?: ChannelsError;
  private host?: ReplyStreamHost;
  private cancelWanted = false;
  private iterated = false;

  /** @param report where an exception thrown by a callback goes (the client's `error` event) */
  constructor(
    private readonly options: StreamOptions<T> = {},
    private readonly report: (error: Error) => void = () => undefined,
  ) {
    const { signal } = options;
    if (signal?.aborted) this.cancel();
    else signal?.addEventListener('abort', () => this.cancel(), { once: true });
  }

  /** Whether the stream is over: ended, failed or cancelled. */
  get finished(): boolean {
    return this.state !== 'open';
  }

  /** @internal The stream is running on the server: `host` cancels it. */
  attach(host: ReplyStreamHost): void {
    this.host = host;
    // Cancelled before the server named the stream: cancel it there now.
    if (this.cancelWanted) host.cancel();
  }

  /** @internal One push of the stream channel. */
  push(push: PushFrame): void {
    if (this.state !== 'open') return;
    if (push.event === STREAM_EVENTS.data) return this.value(push.data as T);
    if (push.event === STREAM_EVENTS.end) return this.end();
    if (push.event === STREAM_EVENTS.error) {
      const body = (push.data ?? {}) as { code?: string; message?: string };
      this.fail(
        ChannelsError.fromBody({
          code: (body.code ?? 'INTERNAL') as never,
          message: body.message ?? 'The stream failed.',
        }),
      );
    }
  }

  /** @internal The stream could not start or continue. */
  fail(error: ChannelsError): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.error = error;
    this.callback(() => this.options.onError?.(error));
    // Waiting readers have read every value received; later ones read those first.
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** @internal A reply that was a single value: the stream of that one value. */
  single(value: T): void {
    this.value(value);
    this.end();
  }

  /** Cancels the stream: no more values; the server cancels the handler. */
  cancel(): void {
    if (this.state !== 'open') return;
    this.state = 'cancelled';
    this.values.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
    if (this.host) this.host.cancel();
    else this.cancelWanted = true;
  }

  next(): Promise<IteratorResult<T>> {
    this.iterated = true;
    if (this.values.length > 0)
      return Promise.resolve({ done: false, value: this.values.shift()! });
    if (this.state === 'failed') return Promise.reject(this.error);
    if (this.state !== 'open') return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Leaving a `for await` loop early: cancels the stream. */
  return(): Promise<IteratorResult<T>> {
    this.cancel();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private value(value: T): void {
    this.callback(() => this.options.onValue?.(value));
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve({ done: false, value });
    // Callbacks alone keep nothing: only a reader needs the values kept.
    else if (this.options.onValue === undefined || this.iterated) this.values.push(value);
  }

  private end(): void {
    this.state = 'ended';
    this.callback(() => this.options.onEnd?.());
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
  }

  private callback(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
