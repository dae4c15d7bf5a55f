import { isObservable, type Subscription } from 'rxjs';
import type { StreamEndReason } from '../connection/stream-event.types.js';
import type { StreamSource } from '../gateway/streamed-reply.js';
import { toErrorBody } from '../protocol/error-body.mapper.js';
import { ErrorCode } from '../protocol/frames.js';
import { STREAM_EVENTS } from '../protocol/stream-channel.js';

/** Where a run writes its values, and whom it tells that it ended. */
export interface ReplyStreamSink {
  /** Publishes one push on the stream channel (sequenced by the broker). */
  publish(event: string, data: unknown): Promise<unknown>;
  /** The run ended (once): its last push was published, or could not be; `error` if it failed. */
  ended(reason: StreamEndReason, values: number, error?: unknown): void;
}

// How long a cancel waits for a generator's `return()` before it reports the end anyway.
const TEARDOWN_WAIT_MS = 5_000;

const CANCELLED: Partial<Record<StreamEndReason, string>> = {
  unsubscribed: 'The stream was cancelled: its client unsubscribed.',
  idle: 'The stream was cancelled: nobody listened to it.',
  shutdown: 'The stream was cancelled: the server shut down.',
};

/**
 * One streamed reply running on this node: reads the handler's Observable or async iterable
 * and publishes each value as a `stream.data` push, one at a time and in order, then exactly one
 * `stream.end` or `stream.error`. {@link cancel} stops it: the Observable is unsubscribed or the
 * iterator's `return()` called, once, and a `stream.error` (`CONFLICT`, or `INTERNAL` for a
 * shutdown) says why to whoever resumes it later.
 */
export class ReplyStreamRun {
  // No more input: the source finished, failed, or the run was cancelled.
  private done = false;
  // Values queued but not yet published are dropped (a cancel, a refused publish).
  private dropQueued = false;
  private values = 0;
  private subscription?: Subscription;
  private iterator?: AsyncIterator<unknown>;
  // The values of an Observable, which cannot wait, are published one after the other.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly sink: ReplyStreamSink) {}

  /** Starts reading the source. */
  start(source: StreamSource): void {
    if (isObservable(source)) {
      this.subscription = source.subscribe({
        next: (value) => this.enqueue(value),
        error: (error: unknown) => this.finish('failed', error),
        complete: () => this.finish('completed'),
      });
      // An Observable that finished while it was subscribed has nothing left to tear down.
      if (this.done) this.subscription.unsubscribe();
      return;
    }
    this.iterator = source[Symbol.asyncIterator]();
    void this.iterate(this.iterator);
  }

  /** Whether the run has ended (by itself or cancelled). */
  get ended(): boolean {
    return this.done;
  }

  /**
   * Cancels the run: its teardown runs once; nothing of the source is published after.
   * @returns a promise of its last push (published, or refused) and its end reported
   */
  cancel(reason: StreamEndReason): Promise<unknown> {
    if (this.done) return this.chain;
    this.done = true;
    this.dropQueued = true;
    // A generator suspended in an await returns once that step settles; its `finally` runs
    // once, and the run reports its end after it.
    const torn = this.stopSource();
    const code = reason === 'shutdown' ? ErrorCode.INTERNAL : ErrorCode.CONFLICT;
    const body = { code, message: CANCELLED[reason] ?? 'The stream was cancelled.' };
    // A generator stuck in an await that never settles must not keep the run from ending.
    this.chain = this.chain.then(() => settledWithin(torn, TEARDOWN_WAIT_MS));
    this.last(STREAM_EVENTS.error, body, reason);
    return this.chain;
  }

  private async iterate(iterator: AsyncIterator<unknown>): Promise<void> {
    try {
      for (;;) {
        const step = await iterator.next();
        if (this.done) return;
        if (step.done) return this.finish('completed');
        await this.enqueue(step.value);
        if (this.done) return;
      }
    } catch (error) {
      this.finish('failed', error);
    }
  }

  private enqueue(value: unknown): Promise<unknown> {
    if (this.done) return this.chain;
    this.chain = this.chain.then(async () => {
      if (this.dropQueued) return;
      try {
        await this.sink.publish(STREAM_EVENTS.data, value ?? null);
        this.values++;
      } catch (error) {
        // The broker refused the value (it is away): the stream cannot go on without a hole.
        this.dropQueued = true;
        void this.stopSource();
        this.finish('failed', error);
      }
    });
    return this.chain;
  }

  private finish(reason: 'completed' | 'failed', error?: unknown): void {
    if (this.done) return;
    this.done = true;
    if (reason === 'completed') this.last(STREAM_EVENTS.end, null, reason);
    else this.last(STREAM_EVENTS.error, errorBodyOf(error), reason, error);
  }

  // The teardown: the Observable unsubscribed, the iterator's `return()` awaited.
  private stopSource(): Promise<unknown> {
    this.subscription?.unsubscribe();
    const iterator = this.iterator;
    if (!iterator?.return) return Promise.resolve();
    return Promise.resolve()
      .then(() => iterator.return!())
      .catch(() => undefined);
  }

  // The last push goes after every value queued before it; the run has ended either way.
  private last(event: string, data: unknown, reason: StreamEndReason, error?: unknown): void {
    this.chain = this.chain
      .then(() => this.sink.publish(event, data))
      .catch(() => undefined)
      .then(() => this.sink.ended(reason, this.values, error));
  }
}

// As in an error frame: an app's HttpException keeps its code and message, anything else is
// INTERNAL with the generic message.
function errorBodyOf(error: unknown): { code: string; message: string } {
  const { code, message } = toErrorBody(error);
  return { code, message };
}

function settledWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
