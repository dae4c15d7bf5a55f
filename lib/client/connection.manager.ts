import { CloseCode } from '../protocol/codes.js';
import type { WelcomeData } from '../protocol/frames.js';
import { backoffDelay, longDelay } from './backoff.js';
import { ChannelsError } from './channels.error.js';
import type {
  ClientTransport,
  Endpoints,
  ServerFrame,
  TransportClose,
  TransportListener,
  TransportName,
} from './client-transport.js';
import type { ResolvedClientOptions } from './client.options.js';
import { decideOnClose, isNetworkFailure } from './close-policy.js';
import { HeartbeatWatchdog } from './heartbeat.watchdog.js';
import { SseClientTransport } from './sse.client-transport.js';
import type { ConnectionState, StateChange } from './connection-state.js';
import { backgroundTimeout, type TimerHandle } from './timers.js';
import { TokenSource } from './token.source.js';
import { TransportSelector } from './transport.selector.js';
import { WebSocketReturn } from './websocket-return.js';
import { WsClientTransport } from './ws.client-transport.js';
import { loadWireCodec, type WireCodec } from './wire.codec.js';

/** What the manager tells the client. */
export interface ConnectionEvents {
  connected(transport: ClientTransport, welcome: WelcomeData): void;
  disconnected(transport: ClientTransport): void;
  frame(frame: ServerFrame, status: number | undefined): void;
  reset(channels: string[]): void;
  sendFailed(id: number | undefined, error: ChannelsError): void;
  state(change: StateChange): void;
  transport(name: TransportName): void;
  probe(): void;
}

type EventTargetLike = {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
};

/**
 * The connection's life: attempts on the transport the {@link TransportSelector} picks,
 * tokens (refreshed after 4401), the reconnect schedule of the close-code table, the
 * heartbeat watchdog, and the background return from SSE to WebSocket.
 */
export class ConnectionManager {
  private current: StateChange = { state: 'idle' };
  private active?: ClientTransport;
  private welcome?: WelcomeData;
  private attempting?: ClientTransport;
  private codec?: WireCodec;
  private attempt = 0;
  /** 4401 refusals since the last welcome: a fresh token refused again will not change. */
  private refusedInARow = 0;
  private readonly tokens: TokenSource;
  private reconnectTimer?: TimerHandle;
  private connectTimer?: TimerHandle;
  private run = 0;
  private lastTransport?: TransportName;
  private readonly selector: TransportSelector;
  private readonly watchdog: HeartbeatWatchdog;
  private readonly webSocketReturn: WebSocketReturn;
  private readonly onOnline = (): void => this.reconnectNow();

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly endpoints: Endpoints,
    private readonly events: ConnectionEvents,
  ) {
    this.tokens = new TokenSource(options.token, options.getToken);
    this.selector = new TransportSelector(
      options.transports,
      options.webSocketFailuresBeforeFallback,
      options.retryWebSocketMs,
    );
    this.watchdog = new HeartbeatWatchdog(
      () => this.events.probe(),
      () => this.dead(),
    );
    this.webSocketReturn = new WebSocketReturn(
      this.selector,
      options.connectTimeoutMs,
      () => this.tokens.current(),
      (token) => this.openWebSocket(token),
      () => this.state === 'connected' && this.active?.name === 'sse',
    );
  }

  get state(): ConnectionState {
    return this.current.state;
  }

  get transport(): TransportName | undefined {
    return this.active?.name;
  }

  get connectionId(): string | undefined {
    return this.welcome?.connectionId;
  }

  /** Starts connecting (from `idle` or `closed`). */
  start(): void {
    if (this.state !== 'idle' && this.state !== 'closed') return;
    const run = ++this.run;
    this.attempt = this.refusedInARow = 0;
    // A browser that comes back online reconnects at once instead of waiting out the backoff.
    (globalThis as EventTargetLike).addEventListener?.('online', this.onOnline);
    this.setState({ state: 'connecting' });
    // The run of this start: a state listener that called close() has ended it already.
    void this.open(run);
  }

  /** Stops for good: no more attempts until `start()`. */
  stop(
    error = new ChannelsError('CLOSED', 'The client was closed.'),
    close?: TransportClose,
  ): void {
    if (this.state === 'closed') return;
    this.run += 1;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    this.watchdog.stop();
    this.webSocketReturn.cancel();
    (globalThis as EventTargetLike).removeEventListener?.('online', this.onOnline);
    const { attempting, active } = this;
    this.attempting = this.active = this.welcome = undefined;
    attempting?.close(1000, 'client closed');
    active?.close(1000, 'client closed');
    const change: StateChange = { state: 'closed', error };
    if (close) Object.assign(change, { code: close.code, reason: close.reason });
    // Closed first, so that what was in flight fails as CLOSED rather than DISCONNECTED.
    this.setState(change);
    if (active) this.events.disconnected(active);
  }

  /** Sends on the live connection. @returns the transport used, or undefined when there is none */
  send(frame: Parameters<ClientTransport['send']>[0]): ClientTransport | undefined {
    if (this.state !== 'connected' || !this.active) return undefined;
    this.active.send(frame);
    return this.active;
  }

  /**
   * The server refused the token (an HTTP 401 answer): fetch a new one for whatever is sent
   * next, the next SSE POST as well as the next connection attempt.
   */
  markTokenStale(): void {
    this.tokens.markStale();
  }

  /** Skips the rest of the backoff wait. */
  reconnectNow(): void {
    if (this.state !== 'reconnecting' || this.reconnectTimer === undefined) return;
    clearTimeout(this.reconnectTimer);
    void this.open(this.run);
  }

  /** One attempt of run `run`; nothing happens once the client was stopped or restarted. */
  private async open(run: number): Promise<void> {
    if (run !== this.run) return;
    this.reconnectTimer = undefined;
    if (!this.codec) {
      // MessagePack's codec is loaded before the first WebSocket, once.
      try {
        this.codec = await loadWireCodec(this.options.encoding);
      } catch (error) {
        if (run !== this.run) return;
        return this.stop(
          new ChannelsError(
            'BAD_REQUEST',
            `The MessagePack codec did not load: ${describe(error)}`,
          ),
        );
      }
    }
    let token: string | undefined;
    try {
      token = await this.tokens.current();
    } catch (error) {
      if (run !== this.run) return;
      return this.afterClose(failed(`getToken failed: ${describe(error)}`));
    }
    if (run !== this.run) return;
    const transport = this.create(token);
    if (!transport) return;
    this.attempting = transport;
    this.connectTimer = backgroundTimeout(() => {
      if (this.attempting !== transport) return;
      this.attempting = undefined;
      transport.close(1000, 'connect timeout');
      this.attemptFailed(transport, failed('The connection attempt timed out.'));
    }, this.options.connectTimeoutMs);
  }

  private create(token: string | undefined): ClientTransport | undefined {
    const now = Date.now();
    if (this.selector.next(now) === 'websocket') {
      try {
        return this.openWebSocket(token);
      } catch (error) {
        // The constructor threw: WebSocket is blocked here, so this very attempt goes to SSE.
        this.selector.webSocketBlocked(now);
        if (!this.selector.allows('sse')) {
          this.afterClose(failed(`WebSocket unavailable: ${describe(error)}`));
          return undefined;
        }
      }
    }
    try {
      return this.openSse(token);
    } catch (error) {
      const reason =
        error instanceof ChannelsError ? error : new ChannelsError('BAD_REQUEST', describe(error));
      this.stop(reason);
      return undefined;
    }
  }

  private openWebSocket(token: string | undefined): ClientTransport {
    const { webSocket } = this.endpoints;
    return this.bind(
      (listener) =>
        new WsClientTransport(webSocket, token, this.options.WebSocket, listener, this.codec),
    );
  }

  private openSse(token: string | undefined): ClientTransport {
    const { fetch, withCredentials } = this.options;
    return this.bind(
      (listener) =>
        new SseClientTransport(
          this.endpoints,
          token,
          () => this.tokens.current(),
          fetch,
          withCredentials,
          listener,
        ),
    );
  }

  private bind(make: (listener: TransportListener) => ClientTransport): ClientTransport {
    // The listener exists before the transport it listens to; transports report asynchronously.
    const ref: { transport?: ClientTransport } = {};
    const listener: TransportListener = {
      onWelcome: (data) => ref.transport && this.onWelcome(ref.transport, data),
      onFrame: (frame, status) => {
        // Answers are settled whichever transport carried them (an SSE POST may outlive its stream).
        const answer = 'id' in frame && frame.id !== undefined;
        if (ref.transport && (ref.transport === this.active || answer))
          this.events.frame(frame, status);
      },
      onActivity: () => {
        if (ref.transport && ref.transport === this.active) this.watchdog.activity();
      },
      onReset: (channels) => {
        if (ref.transport && ref.transport === this.active) this.events.reset(channels);
      },
      onClose: (close) => ref.transport && this.onTransportClose(ref.transport, close),
      onSendFailed: (id, error) => this.events.sendFailed(id, error),
    };
    ref.transport = make(listener);
    return ref.transport;
  }

  private onWelcome(transport: ClientTransport, welcome: WelcomeData): void {
    const run = this.run;
    if (transport === this.attempting) {
      clearTimeout(this.connectTimer);
      this.attempting = undefined;
    } else if (this.webSocketReturn.owns(transport)) {
      this.webSocketReturn.succeeded();
      const previous = this.active;
      this.active = undefined;
      if (previous) {
        previous.close(1000, 'moved to WebSocket');
        this.events.disconnected(previous);
      }
    } else {
      transport.close(1000, 'not needed');
      return;
    }
    this.active = transport;
    this.welcome = welcome;
    this.attempt = this.refusedInARow = 0;
    if (transport.name === 'websocket') this.selector.webSocketWelcomed();
    this.watchdog.start(
      welcome.heartbeatMs,
      this.options.heartbeatTimeoutMs,
      !transport.seesHeartbeats,
    );
    // Armed before any listener runs, so that a listener that closes the client cancels it.
    if (transport.name === 'sse') this.webSocketReturn.schedule();
    if (this.lastTransport !== transport.name) {
      this.lastTransport = transport.name;
      this.events.transport(transport.name);
      // A transport listener closed the client: this connection is no longer its own.
      if (run !== this.run) return;
    }
    this.events.connected(transport, welcome);
    this.setState({
      state: 'connected',
      transport: transport.name,
      connectionId: welcome.connectionId,
    });
  }

  private onTransportClose(transport: ClientTransport, close: TransportClose): void {
    if (transport === this.attempting) {
      clearTimeout(this.connectTimer);
      this.attempting = undefined;
      this.attemptFailed(transport, close);
    } else if (transport === this.active) {
      this.lost(transport, close);
    } else if (this.webSocketReturn.owns(transport)) {
      if (close.code === CloseCode.UNAUTHORIZED) this.markTokenStale();
      this.webSocketReturn.failed();
    }
  }

  private attemptFailed(transport: ClientTransport, close: TransportClose): void {
    if (transport.name === 'websocket' && isNetworkFailure(close.code))
      this.selector.webSocketFailed(Date.now());
    if (transport.name === 'sse' && close.code === 1006 && !close.opened)
      this.selector.sseUnreachable();
    this.afterClose(close);
  }

  private lost(transport: ClientTransport, close: TransportClose): void {
    this.active = this.welcome = undefined;
    this.watchdog.stop();
    this.webSocketReturn.cancel();
    this.events.disconnected(transport);
    this.afterClose(close);
  }

  // Nothing arrived for heartbeat + timeout: the connection is dead even if no close came.
  private dead(): void {
    const transport = this.active;
    if (!transport) return;
    this.active = undefined;
    transport.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
    this.lost(transport, {
      code: CloseCode.HEARTBEAT_TIMEOUT,
      reason: 'No heartbeat from the server.',
      opened: true,
    });
  }

  private afterClose(close: TransportClose): void {
    const decision = decideOnClose(close.code);
    if (decision.action === 'stop') {
      return this.stop(
        new ChannelsError(decision.error, close.reason || `Closed with code ${close.code}.`),
        close,
      );
    }
    if (decision.refreshToken) {
      if (!this.tokens.canRefresh || ++this.refusedInARow > 1) {
        return this.stop(
          new ChannelsError('UNAUTHORIZED', close.reason || 'The server refused the token.'),
          close,
        );
      }
      this.tokens.markStale();
    }
    const { random, backoff, tooManyDelayMs } = this.options;
    const delayMs =
      decision.delay === 'long'
        ? longDelay(tooManyDelayMs, random, close.retryAfterMs)
        : Math.max(
            close.retryAfterMs ?? 0,
            backoffDelay(Math.max(this.attempt, decision.minAttempt), backoff, random),
          );
    this.attempt += 1;
    const run = this.run;
    // Armed before the state is told: a listener that closes the client clears it, and one
    // that closes and restarts it leaves this run's timer with nothing to do.
    // Not unref'd: a Node process that asked to stay connected must live through the wait.
    this.reconnectTimer = setTimeout(() => void this.open(run), delayMs);
    this.setState({
      state: 'reconnecting',
      code: close.code,
      reason: close.reason,
      delayMs,
      attempt: this.attempt,
    });
  }

  private setState(change: StateChange): void {
    this.current = change;
    this.events.state(change);
  }
}

// A connection that ended without a close code: the network failed, or nothing answered.
function failed(reason: string): TransportClose {
  return { code: 1006, reason, opened: false };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
