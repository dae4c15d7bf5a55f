import { ChannelsError } from '../client/channels.error.js';
import type { TransportName } from '../connection/handshake.js';
import type {
  CommandFrame,
  ErrorBody,
  PushFrame,
  StreamPosition,
  SubscribeReply,
} from '../protocol/frames.js';

/**
 * How a connection ended, as a WebSocket client sees it (an SSE stream's `event: close` carries
 * the same codes; a stream that ended without one reports 1006).
 * @example { code: 4401, reason: 'Credentials expired.' }
 */
export interface TestCloseEvent {
  /** The close code (see the protocol's close codes). */
  code: number;
  /** The reason the server gave, or `''`. */
  reason: string;
}

/**
 * How long a wait may take.
 * @example await client.request('slow.job', {}, { timeoutMs: 10_000 })
 */
export interface TestWaitOptions {
  /**
   * Fail after this many milliseconds.
   * @default the client's `timeoutMs` (2000)
   */
  timeoutMs?: number;
}

/**
 * What to wait for in {@link ChannelsTestClient.nextPush}.
 * @example await client.nextPush('room:lobby', { event: 'message', timeoutMs: 500 })
 */
export interface TestPushOptions extends TestWaitOptions {
  /** Only a push of this event (others stay queued). @default any event */
  event?: string;
}

/**
 * Options of {@link ChannelsTestClient.subscribe}.
 * @example await client.subscribe('user:42', { since: { epoch: 'k3J9', offset: 17 } })
 */
export interface TestSubscribeOptions extends TestWaitOptions {
  /** Replay the pushes after this position (the reply's `missed`). @default none */
  since?: StreamPosition;
}

/** A command's answer, as a transport got it (`status`: the HTTP status over SSE). */
export type TestAnswer = ({ data: unknown } | { error: ErrorBody }) & { status?: number };

interface PushWaiter {
  match: (push: PushFrame) => boolean;
  resolve: (push: PushFrame) => void;
  reject: (error: Error) => void;
}

/**
 * One test connection to the module, reading like the protocol: `request` resolves with the
 * reply's data or rejects with a {@link ChannelsError} (its `code`, `details`,
 * `retryAfterMs`); `subscribe` answers the subscribe reply; `nextPush` waits for a push on a
 * channel; `expectClose` waits for the close code. Pushes that arrive before anyone waits for
 * them are queued, so no push is lost between two awaits.
 *
 * The same client runs over a WebSocket, an SSE stream (with POSTed commands), or in process
 * ({@link ChannelsTestHarness}).
 *
 * @example
 * const client = await connectTestClient(app, { token: 'alice' });
 * await client.subscribe('room:lobby');
 * await client.request('chat.send', { room: 'lobby', text: 'hi' });
 * expect((await client.nextPush('room:lobby')).data).toEqual({ text: 'hi' });
 */
export abstract class ChannelsTestClient {
  /** The transport this client speaks. */
  abstract readonly transport: TransportName;
  /** Error frames the server sent that answer no command (no `id`). */
  readonly errors: ErrorBody[] = [];
  private readonly queued: PushFrame[] = [];
  private waiters: PushWaiter[] = [];
  private closeEvent?: TestCloseEvent;
  private closeWaiters: Array<(event: TestCloseEvent) => void> = [];
  private nextId = 1;

  protected constructor(
    /** The server's id of this connection (the welcome's `connectionId`). */
    readonly connectionId: string,
    /** The default timeout of every wait, in milliseconds. */
    readonly timeoutMs: number,
  ) {}

  /** How the connection ended, once it has. */
  get closed(): TestCloseEvent | undefined {
    return this.closeEvent;
  }

  /**
   * Sends a command and resolves with its reply's data.
   * @throws ChannelsError with the error frame's `code`, `message`, `details`, `retryAfterMs`
   *   (and `status` over SSE); `TIMEOUT` when no answer came in time, `DISCONNECTED` when the
   *   connection closed first
   */
  async request<T = unknown>(
    event: string,
    data?: unknown,
    options: TestWaitOptions = {},
  ): Promise<T> {
    const id = this.nextId++;
    const command: CommandFrame & { id: number } = { id, event, data };
    const answer = await this.within(
      this.exchange(command),
      options.timeoutMs,
      (ms) => new ChannelsError('TIMEOUT', `No answer to "${event}" (id ${id}) within ${ms} ms.`),
    );
    if ('error' in answer) throw ChannelsError.fromBody(answer.error, { status: answer.status });
    return answer.data as T;
  }

  /**
   * Sends a command that must fail, and resolves with its error.
   * @throws Error naming the reply when the command succeeded instead
   * @example expect((await client.requestError('chat.send', {})).details).toHaveLength(2);
   */
  async requestError(
    event: string,
    data?: unknown,
    options: TestWaitOptions = {},
  ): Promise<ChannelsError> {
    let reply: unknown;
    try {
      reply = await this.request(event, data, options);
    } catch (error) {
      if (error instanceof ChannelsError) return error;
      throw error;
    }
    throw new Error(`"${event}" was expected to fail, and replied ${JSON.stringify(reply)}.`);
  }

  /**
   * Subscribes to a channel (the app's `@OnJoin` runs first).
   * @returns the subscribe reply: the channel's `offset` and `epoch`, and with `since` the
   *   `missed` pushes (`recovered: true` when history held all of them)
   * @throws ChannelsError `FORBIDDEN` when the join is refused, `BAD_REQUEST` for a bad name
   */
  subscribe(channel: string, options: TestSubscribeOptions = {}): Promise<SubscribeReply> {
    const data = options.since ? { channel, since: options.since } : { channel };
    return this.request<SubscribeReply>('subscribe', data, options);
  }

  /** Unsubscribes. @returns whether the connection was subscribed */
  async unsubscribe(channel: string, options: TestWaitOptions = {}): Promise<boolean> {
    const reply = await this.request<{ unsubscribed: boolean }>(
      'unsubscribe',
      { channel },
      options,
    );
    return reply.unsubscribed;
  }

  /**
   * The next push on `channel` (the oldest queued one, or the next to arrive).
   * @throws Error naming the channel, the wait, and what did arrive, when none comes in time or
   *   the connection closes first
   */
  nextPush<T = unknown>(channel: string, options: TestPushOptions = {}): Promise<PushFrame<T>> {
    const what = options.event ? `"${options.event}" push` : 'push';
    const match = (p: PushFrame) =>
      p.channel === channel && (options.event === undefined || p.event === options.event);
    const index = this.queued.findIndex(match);
    if (index >= 0) return Promise.resolve(this.queued.splice(index, 1)[0] as PushFrame<T>);
    if (this.closeEvent)
      return Promise.reject(new Error(`No ${what} on "${channel}": ${this.describeClose()}.`));
    const waiter = { match } as PushWaiter;
    const arrived = new Promise<PushFrame>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = (error) => reject(new Error(`No ${what} on "${channel}": ${error.message}`));
      this.waiters.push(waiter);
    });
    return this.within(arrived, options.timeoutMs, (ms) => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      return new Error(`No ${what} on "${channel}" within ${ms} ms. ${this.describeQueue()}`);
    }) as Promise<PushFrame<T>>;
  }

  /** Takes the pushes received and not yet taken (of one channel, or all). */
  takePushes(channel?: string): PushFrame[] {
    const taken = this.queued.filter((p) => channel === undefined || p.channel === channel);
    for (const push of taken) this.queued.splice(this.queued.indexOf(push), 1);
    return taken;
  }

  /**
   * Waits for the connection to end.
   * @param code the close code expected; another one fails with both codes and the reason
   * @throws Error when it does not close in time, or closes with another code
   */
  async expectClose(code?: number, options: TestWaitOptions = {}): Promise<TestCloseEvent> {
    const event = this.closeEvent
      ? this.closeEvent
      : await this.within(
          new Promise<TestCloseEvent>((resolve) => this.closeWaiters.push(resolve)),
          options.timeoutMs,
          (ms) =>
            new Error(
              `The connection did not close within ${ms} ms (expected ${code ?? 'a close'}).`,
            ),
        );
    if (code !== undefined && event.code !== code) {
      throw new Error(`Expected close code ${code}, got ${event.code} ("${event.reason}").`);
    }
    return event;
  }

  /** Closes the connection (1000) and waits until it has. */
  abstract close(): Promise<void>;

  /** Sends one command and resolves with its answer. */
  protected abstract exchange(command: CommandFrame & { id: number }): Promise<TestAnswer>;

  /**
   * A transport reports a push here. A position frame (a push this connection was excluded
   * from: no `event`) is not a push and is not queued.
   */
  protected receivePush(push: PushFrame): void {
    if (!('event' in push)) return;
    const waiter = this.waiters.find((w) => w.match(push));
    if (!waiter) return void this.queued.push(push);
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    waiter.resolve(push);
  }

  /** A transport reports the end of the connection here, once. */
  protected receiveClose(code: number, reason: string): void {
    if (this.closeEvent) return;
    this.closeEvent = { code, reason };
    for (const resolve of this.closeWaiters.splice(0)) resolve(this.closeEvent);
    for (const waiter of this.waiters.splice(0))
      waiter.reject(new Error(`${this.describeClose()}.`));
  }

  private describeClose(): string {
    const event = this.closeEvent!;
    return `the connection closed with ${event.code}${event.reason ? ` ("${event.reason}")` : ''}`;
  }

  private describeQueue(): string {
    if (this.queued.length === 0) return 'No other push arrived either.';
    const seen = this.queued.slice(-5).map((p) => `${p.channel} ${p.event} #${p.offset}`);
    return `Received and not taken: ${seen.join(', ')}${this.queued.length > 5 ? ', …' : ''}.`;
  }

  private within<T>(
    promise: Promise<T>,
    timeoutMs: number | undefined,
    fail: (ms: number) => Error,
  ): Promise<T> {
    const ms = timeoutMs ?? this.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(fail(ms)), ms);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });
  }
}
