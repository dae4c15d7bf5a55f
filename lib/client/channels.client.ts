import type {
  ChannelName,
  ChannelPushes,
  ChannelsApi,
  CommandName,
  CommandPayload,
  CommandReply,
  LooseApi,
  LooseChannel,
  LooseCommand,
  TypedPushHandler,
} from '../contract/api.types.js';
import { isChannelName } from '../protocol/channel-name.rule.js';
import type { ReplyFrame, WelcomeData } from '../protocol/frames.js';
import { openReplyStream } from './reply-stream.opener.js';
import type { ReplyStream, StreamOptions } from './reply-stream.js';
import { ChannelsError } from './channels.error.js';
import {
  resolveEndpoints,
  type ClientTransport,
  type ServerFrame,
  type TransportName,
} from './client-transport.js';
import {
  resolveClientOptions,
  type ChannelsClientOptions,
  type ResolvedClientOptions,
} from './client.options.js';
import type { ConnectionState, StateChange } from './connection-state.js';
import { ConnectionManager } from './connection.manager.js';
import { Emitter } from './emitter.js';
import { ClientPresence, type PresenceSubscription } from './presence.listeners.js';
import type { PresenceMember } from '../protocol/presence.types.js';
import { RequestTracker } from './request.tracker.js';
import { UnavailableRetries } from './unavailable.retry.js';
import {
  SubscriptionRegistry,
  type PushHandler,
  type SubscribedInfo,
  type SubscribeOptions,
} from './subscription.registry.js';

/**
 * Options of {@link ChannelsClient.request}.
 * @example await client.request('reports.build', { month: '2024-05' }, { timeoutMs: 60_000 });
 */
export interface RequestOptions {
  /** How long to wait for the answer. @default the client's `requestTimeoutMs` (10000) */
  timeoutMs?: number;
}

/**
 * The events of a {@link ChannelsClient}; `on()` returns a function that removes the listener.
 * @example const off = client.on('reset', ({ channel }) => refetch(channel));
 */
export interface ChannelsClientEvents {
  /** The connection state changed. */
  state: [StateChange];
  /** The transport in use changed (`websocket` or `sse`). */
  transport: [TransportName];
  /** The server accepted a subscription, or renewed it after a reconnect. */
  subscribed: [SubscribedInfo];
  /** A channel's missed pushes could not be replayed (`recovered: false`): refetch its state. */
  reset: [{ channel: string }];
  /** Something failed with no caller to tell: a handler threw, a resubscribe was refused. */
  error: [Error];
}

/**
 * The channel that the heartbeat probe unsubscribes from. Unsubscribing from a channel the
 * connection never joined is a built-in no-op whose reply proves the server alive, reaches no
 * application handler, and exists on every server that speaks protocol v1.
 * `ChannelsClient.subscribe` refuses it (`BAD_REQUEST`).
 * @example { "id": 12, "event": "unsubscribe", "data": { "channel": "_channels.probe" } }
 */
export const PROBE_CHANNEL = '_channels.probe';

/**
 * The arguments after the event name of a typed `request`: `data` may be left out when the
 * command takes none.
 * @example const args: RequestArgs<{ ids: string[] }> = [{ ids: ['n1'] }, { timeoutMs: 5000 }];
 */
export type RequestArgs<P> = undefined extends P
  ? [data?: P, options?: RequestOptions]
  : [data: P, options?: RequestOptions];

/**
 * A client of a `nestjs-channels` server, for browsers and Node: WebSocket first, SSE + POST
 * when WebSocket is blocked; reconnects with jittered backoff, resubscribes and replays what
 * was missed, refreshes its token on 4401 and notices a dead server. It connects on
 * `connect()`, or on the first `subscribe()` or `request()`.
 *
 * @example
 * const client = new ChannelsClient({ url: '/channels', getToken: () => auth.token() });
 * client.on('state', ({ state }) => render(state));
 * await client.subscribe('user:alice', (n) => show(n), { onReset: () => refetch() });
 * const { unread } = await client.request<{ unread: number }>('notifications.markRead', { ids: ['n1'] });
 *
 * // Typed by the server's definitions (docs/contract.md): names, payloads, replies, pushes.
 * const typed = new ChannelsClient<NotificationsApi>({ url: '/channels' });
 * const { unread: left } = await typed.request('notifications.markRead', { ids: ['n1'] });
 */
export class ChannelsClient<
  Api extends ChannelsApi = LooseApi,
> extends Emitter<ChannelsClientEvents> {
  private readonly options: ResolvedClientOptions;
  private readonly requests = new RequestTracker();
  private readonly subscriptions: SubscriptionRegistry;
  private readonly connection: ConnectionManager;
  private waiters: Array<{ resolve(): void; reject(error: ChannelsError): void }> = [];
  private readonly unavailable: UnavailableRetries;
  private readonly presenceListeners = new ClientPresence({
    request: (event, data) => this.request(event, data),
    error: (error) => this.report(error),
  });

  /** @throws TypeError / RangeError for an option that is wrong */
  constructor(options: ChannelsClientOptions) {
    super();
    this.options = resolveClientOptions(options);
    this.unavailable = new UnavailableRetries(this.options.unavailableRetries, this.options.random);
    this.subscriptions = new SubscriptionRegistry({
      requestNow: (event, data) => this.requestNow(event, data),
      connected: () => this.connection.state === 'connected',
      reset: (channel) => this.emit('reset', { channel }),
      subscribed: (info) => this.emit('subscribed', info),
      error: (error) => this.report(error),
      retryDelay: (attempt, error) => this.unavailable.delayFor(attempt, error),
    });
    this.connection = new ConnectionManager(this.options, resolveEndpoints(this.options.url), {
      connected: (transport, welcome) => this.onConnected(transport, welcome),
      disconnected: (transport) => this.onDisconnected(transport),
      frame: (frame, status) => this.onFrame(frame, status),
      reset: (channels) => this.subscriptions.resetChannels(channels),
      sendFailed: (id, error) => {
        if (id === undefined || !this.requests.fail(id, error)) this.report(error);
      },
      state: (change) => this.onState(change),
      transport: (name) => this.emit('transport', name),
      probe: () =>
        void this.requestNow(
          'unsubscribe',
          { channel: PROBE_CHANNEL },
          this.options.heartbeatTimeoutMs,
        ).catch(() => undefined),
    });
    this.on('subscribed', (info) => this.presenceListeners.subscribed(info));
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The transport of the live connection; undefined while there is none. */
  get transport(): TransportName | undefined {
    return this.connection.transport;
  }

  /** The server's id of the live connection. */
  get connectionId(): string | undefined {
    return this.connection.connectionId;
  }

  /**
   * Starts connecting, and keeps reconnecting until {@link close} or a close code that says
   * stop (1000, 4403, or 4401 without `getToken`).
   * @returns a promise of the first connection; it rejects if the client stops before
   */
  connect(): Promise<void> {
    if (this.connection.state === 'connected') return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) =>
      this.waiters.push({ resolve, reject }),
    );
    this.connection.start();
    return connected;
  }

  /**
   * Closes the connection and stops reconnecting. Requests in flight fail with `CLOSED`, and
   * every subscription ends (those still waiting for the server reject with `CLOSED`): a later
   * {@link connect} starts with none, so subscribe again to what the app needs.
   */
  close(): void {
    this.connection.stop();
  }

  /**
   * Calls `handler` with every push of `channel`, in order and once each, across
   * reconnects. An idle client connects; the subscription is renewed on every connection.
   * @returns a promise of the subscription, once the server accepted it
   * With a typed API the channel must match one of its patterns and the handler take its
   * pushes (a compile error otherwise).
   * @throws ChannelsError (rejects) `FORBIDDEN` and the like when the server refuses it
   */
  subscribe<C extends ChannelName<Api>>(
    channel: C,
    handler: TypedPushHandler<ChannelPushes<Api, C>>,
    options?: SubscribeOptions,
  ): Promise<PresenceSubscription>;
  subscribe<T = unknown>(
    channel: LooseChannel<Api>,
    handler: PushHandler<T>,
    options?: SubscribeOptions,
  ): Promise<PresenceSubscription>;
  subscribe(
    channel: string,
    handler: PushHandler<never>,
    options: SubscribeOptions = {},
  ): Promise<PresenceSubscription> {
    if (!isChannelName(channel) || channel === PROBE_CHANNEL) {
      return Promise.reject(
        new ChannelsError(
          'BAD_REQUEST',
          `"${channel}" is not a channel name one can subscribe to.`,
          { channel },
        ),
      );
    }
    if (this.connection.state === 'closed')
      return Promise.reject(new ChannelsError('CLOSED', 'The client is closed.', { channel }));
    const subscribed = this.subscriptions.add(channel, handler as PushHandler, options);
    this.connection.start();
    return subscribed.then((subscription) => this.presenceListeners.attach(subscription));
  }

  /**
   * Who is in `channel` (one entry per principal, with its connection count and the info the
   * server shares). The client must be subscribed to it.
   * @throws ChannelsError (rejects) `BAD_REQUEST` when the channel has no presence, `FORBIDDEN`
   *   when not subscribed
   */
  presence<TInfo = unknown>(channel: string): Promise<PresenceMember<TInfo>[]> {
    return this.presenceListeners.fetch<TInfo>(channel);
  }

  /** Removes every handler of `channel` and leaves it. */
  unsubscribe(channel: string): Promise<void> {
    return this.subscriptions.remove(channel);
  }

  /**
   * Sends a command and resolves with its reply's data. While there is no connection the
   * command waits for one (within `timeoutMs`); a command in flight when the connection is
   * lost fails with `DISCONNECTED` and is never resent. A command answered `UNAVAILABLE` (the
   * server's broker is briefly away; the command did not run) is sent again on its own, after
   * the answer's `retryAfterMs` with jitter, up to `unavailableRetries` times within `timeoutMs`.
   * With a typed API the event must be one of its commands, `data` its payload, and the
   * promise has its reply type (a compile error otherwise).
   * @throws ChannelsError (rejects) with the server's code, or `TIMEOUT`, `DISCONNECTED`, `CLOSED`
   */
  request<E extends CommandName<Api>>(
    event: E,
    ...args: RequestArgs<CommandPayload<Api, E>>
  ): Promise<CommandReply<Api, E>>;
  request<T = unknown>(
    event: LooseCommand<Api>,
    data?: unknown,
    options?: RequestOptions,
  ): Promise<T>;
  request<T = unknown>(event: string, data?: unknown, options: RequestOptions = {}): Promise<T> {
    if (this.connection.state === 'closed')
      return Promise.reject(new ChannelsError('CLOSED', 'The client is closed.'));
    const deadline = Date.now() + (options.timeoutMs ?? this.options.requestTimeoutMs);
    return this.unavailable.run(
      () => this.send(event, data, Math.max(1, deadline - Date.now())),
      deadline,
    ) as Promise<T>;
  }

  /**
   * Sends a command whose handler answers with a stream (docs/protocol.md, "Streamed replies")
   * and returns its values as an async iterable (and callbacks), in order and once each; it
   * resumes by itself after a reconnect, on either transport and any node. Leaving the loop
   * (`break`, `return()`) or aborting `options.signal` cancels the stream on the server.
   * With a typed API each value has the command's reply type.
   * @example
   * for await (const word of client.stream('notifications.digest', { limit: 5 })) out.append(word);
   * @throws ChannelsError (from the iterator) with the server's code, `TIMEOUT`, `CLOSED`
   */
  stream<T = unknown>(
    event: LooseCommand<Api>,
    data?: unknown,
    options?: StreamOptions<T>,
  ): ReplyStream<T>;
  stream<E extends CommandName<Api>>(
    event: E,
    data?: CommandPayload<Api, E>,
    options?: StreamOptions<CommandReply<Api, E>>,
  ): ReplyStream<CommandReply<Api, E>>;
  stream<T = unknown>(
    event: string,
    data?: unknown,
    options: StreamOptions<T> = {},
  ): ReplyStream<T> {
    return openReplyStream<T>(
      {
        requestReply: (name, payload, timeoutMs) => this.requestReply(name, payload, timeoutMs),
        subscribeFrom: (channel, handler, subscribeOptions, from) => {
          const added = this.subscriptions.add(channel, handler, subscribeOptions, from);
          this.connection.start();
          return added;
        },
        leave: (channel) => this.subscriptions.remove(channel),
        unsubscribe: (channel) => this.requestReply('unsubscribe', { channel }),
        report: (error) => this.report(error),
      },
      event,
      data,
      options,
    );
  }

  protected override onListenerError(error: unknown, event: keyof ChannelsClientEvents): void {
    if (event !== 'error' && this.hasListeners('error'))
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    else super.onListenerError(error, event);
  }

  // An error with no caller goes to the `error` listeners, or to the console: never nowhere.
  private report(error: Error): void {
    if (this.hasListeners('error')) this.emit('error', error);
    else console.error('[nestjs-channels]', error);
  }

  // A request answered with its whole reply frame (a streamed reply names its channel there).
  private requestReply(event: string, data: unknown, timeoutMs?: number): Promise<ReplyFrame> {
    if (this.connection.state === 'closed')
      return Promise.reject(new ChannelsError('CLOSED', 'The client is closed.'));
    const deadline = Date.now() + (timeoutMs ?? this.options.requestTimeoutMs);
    return this.unavailable.run(
      () => this.send(event, data, Math.max(1, deadline - Date.now()), true),
      deadline,
    ) as Promise<ReplyFrame>;
  }

  // One attempt of a request: sent now, or when the next connection is up.
  private send(event: string, data: unknown, timeoutMs: number, raw = false): Promise<unknown> {
    if (this.connection.state === 'closed')
      return Promise.reject(new ChannelsError('CLOSED', 'The client is closed.'));
    const { frame, promise } = this.requests.create(event, data, timeoutMs, raw);
    const transport = this.connection.send(frame);
    if (transport) this.requests.markSent(frame.id, transport);
    else this.connection.start();
    return promise;
  }

  // Internal commands are never queued: the registry resubscribes on the next connection.
  private requestNow(
    event: string,
    data: unknown,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<unknown> {
    if (this.connection.state !== 'connected')
      return Promise.reject(new ChannelsError('DISCONNECTED', 'Not connected.'));
    const { frame, promise } = this.requests.create(event, data, timeoutMs);
    const transport = this.connection.send(frame);
    if (transport) this.requests.markSent(frame.id, transport);
    return promise;
  }

  private onConnected(transport: ClientTransport, _welcome: WelcomeData): void {
    for (const frame of this.requests.unsent()) {
      transport.send(frame);
      this.requests.markSent(frame.id, transport);
    }
  }

  private onDisconnected(transport: ClientTransport): void {
    if (transport.answersOnConnection) {
      this.requests.failSentOn(
        transport,
        new ChannelsError('DISCONNECTED', 'The connection was lost before the answer arrived.'),
      );
    }
    this.subscriptions.suspend();
  }

  private onState(change: StateChange): void {
    // Resubscribing waits for the state to be `connected`: only then do internal commands go out.
    if (change.state === 'connected') {
      this.subscriptions.resume();
      for (const waiter of this.waiters.splice(0)) waiter.resolve();
    } else if (change.state === 'closed') {
      const error = change.error ?? new ChannelsError('CLOSED', 'The client was closed.');
      const closed = error.code === 'CLOSED' ? error : new ChannelsError('CLOSED', error.message);
      this.requests.failAll(closed);
      this.unavailable.cancelAll(closed);
      this.subscriptions.stop(error);
      for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    }
    this.emit('state', change);
  }

  private onFrame(frame: ServerFrame, status: number | undefined): void {
    if (this.presenceListeners.handle(frame)) return;
    if ('channel' in frame && 'offset' in frame) return this.subscriptions.push(frame);
    if ('error' in frame && frame.error.code === 'UNAUTHORIZED') this.connection.markTokenStale();
    if (this.requests.settle(frame, status)) return;
    if ('error' in frame) {
      this.report(ChannelsError.fromBody(frame.error, status === undefined ? {} : { status }));
    }
  }
}
