import { randomUUID } from 'node:crypto';
import { CloseCode } from '../protocol/frames.js';
import type { EncodedPush } from '../protocol/push.encoder.js';
import { stringifyFrame } from '../protocol/binary-value.js';
import type { HandshakeClient, Handshake, TransportName } from './handshake.js';
import { KeySetView, type SubscriptionState } from './subscription.state.js';
import type { CloseInitiator } from './channels-event.types.js';
import { AnswersBeforeClose } from './answers-before-close.js';

/**
 * One client, on either transport. Guards, handlers, the rate limiter, the heartbeat and the
 * hub see only this: nothing above the transport knows whether it is WebSocket or SSE.
 *
 * @example
 * @OnMessage('whoami')
 * whoami(@ConnectedClient() client: Connection<User>) {
 *   return { id: client.id, user: client.principal?.name, channels: [...client.subscriptions] };
 * }
 */
export abstract class Connection<TPrincipal = unknown> implements HandshakeClient<TPrincipal> {
  /** A unique id, sent to the client in the welcome frame. */
  readonly id: string = randomUUID();
  /** Free storage for the app's own per-connection state (created on first use). */
  get state(): Map<string, unknown> {
    return (this.stateMap ??= new Map());
  }
  abstract readonly transport: TransportName;
  /**
   * True for a client that lives for one request (an SSE POST bound to no stream): its `id`
   * is shared by every such request of its principal, so what is kept per id (a rate-limit
   * budget) must outlive it.
   * @default false
   */
  readonly transient: boolean = false;
  /**
   * When the principal's credentials expire, in milliseconds since the epoch (see the
   * `principalExpiresAt` option); set when the connection is registered. From then on nothing
   * is written to it and it is closed with 4401.
   */
  expiresAt: number | undefined;
  /**
   * @internal This connection's subscriptions, as the hub's subscription table keeps them
   * (the table's own map: read it, never write it).
   */
  subscriptionStates: ReadonlyMap<string, SubscriptionState> = NO_SUBSCRIPTIONS;
  private subscriptionView?: KeySetView<string>;
  // Created on first use: most connections never store state.
  private stateMap?: Map<string, unknown>;
  // One listener alone (the registry's, on most connections) needs no array.
  private closeListeners?: (() => void) | Array<() => void>;
  // Set while a channel's pushes wait for the connection to catch up (see awaitCatchUp).
  private catchUpListener?: () => void;
  private isClosed = false;
  private ending?: { readonly code: number; readonly by: CloseInitiator };
  // The commands read and not yet answered, and a decided close that waits for them.
  // Made on the first command: an idle connection owes no answers.
  private answersGate?: AnswersBeforeClose;

  constructor(
    readonly handshake: Handshake,
    public principal: TPrincipal | undefined,
  ) {}

  /** The channels this connection is subscribed to. */
  get subscriptions(): ReadonlySet<string> {
    if (this.subscriptionView === undefined || this.subscriptionStates === NO_SUBSCRIPTIONS)
      return new KeySetView(this.subscriptionStates);
    return this.subscriptionView;
  }

  /** How the connection ended (or is ending): its close code and who closed it. */
  get closeInfo(): { readonly code: number; readonly by: CloseInitiator } | undefined {
    return this.ending;
  }

  /** Whether the connection has closed; nothing is written after that. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Whether a command read now is handled: false once the connection is closed or closing, and
   * from the moment a close that waits for the answers it owes was decided
   * ({@link closeAfterAnswers}). A command read after that gets no answer.
   * @default true
   */
  get accepting(): boolean {
    return !this.isClosed && this.ending === undefined && (this.answersGate?.accepting ?? true);
  }

  /** @internal The router counts a command from when it is read until it is answered. */
  commandStarted(): void {
    this.answers.started();
  }

  /** @internal The command counted by `commandStarted` has been answered. */
  commandSettled(): void {
    this.answers.settled();
  }

  /**
   * Closes the connection with `code` once every command read before this call has been
   * answered (their frames then leave before the close), and at the latest after `graceMs`.
   * From now on no command is taken: one read after this call is not handled and gets no
   * answer, and a transport that can stops reading. The rate limiter closes an abusive
   * connection (4429) this way, so the refusals it owes arrive before the close.
   *
   * @example connection.closeAfterAnswers(CloseCode.TOO_MANY, 'Rate limit exceeded repeatedly.', 5_000)
   */
  closeAfterAnswers(code: number, reason: string, graceMs: number): void {
    if (!this.accepting) {
      // Already closing: a decided close keeps its code; a closed connection stays closed.
      return;
    }
    this.stopReading();
    this.answers.close(code, reason, graceMs);
  }

  /** Sends one frame (a reply, an error, the welcome). */
  send(frame: object): void {
    if (!this.isClosed && !this.expireIfDue()) this.writeFrame(frame);
  }

  /** Writes a push (the hub's fan-out calls it once the subscription is live). */
  deliver(push: EncodedPush): void {
    // expiresAt is checked first: most connections never expire, and this runs per subscriber.
    if (this.isClosed || (this.expiresAt !== undefined && this.expireIfDue())) return;
    this.writePush(push);
  }

  /**
   * Writes a push that is not history (presence): no offset, so it waits for nothing and
   * moves no cursor. `json` is the whole frame, `event` its event name.
   */
  deliverTransient(event: string, json: string): void {
    if (!this.isClosed && !this.expireIfDue()) this.writeTransient(event, json);
  }

  /**
   * Bytes written to this connection and not yet sent (gathered this turn, or in the socket's
   * buffers); 0 where the transport cannot tell.
   * @default 0
   */
  get bufferedBytes(): number {
    return 0;
  }

  /**
   * Whether a frame of `bytes` fits in the outbound buffer now: it is empty, or the frame keeps
   * it within the connection's limit (`limits.maxBufferedBytes`, shared by all its channels).
   * The hub asks it before writing a push of a `latest` or `drop` channel.
   */
  hasRoomFor(bytes: number): boolean {
    const buffered = this.bufferedBytes;
    return buffered === 0 || buffered + bytes <= this.bufferLimit;
  }

  /**
   * @internal Runs `listener` once, when the connection has caught up (its socket took what
   * was buffered); the hub then writes what it kept back. A later call replaces the listener.
   */
  awaitCatchUp(listener: () => void): void {
    const waiting = this.catchUpListener !== undefined;
    this.catchUpListener = listener;
    // Not waiting for a drain: what this turn gathered is flushed at its end; look after that.
    if (!waiting && !this.behind) setImmediate(() => this.caughtUp());
  }

  private get answers(): AnswersBeforeClose {
    return (this.answersGate ??= new AnswersBeforeClose((code, reason) =>
      this.close(code, reason),
    ));
  }

  /** Closes the connection with a protocol close code. */
  abstract close(code?: number, reason?: string): void;

  /**
   * Closes the connection with 4401 once its credentials have expired.
   * @returns whether they have (and nothing may be written or handled any more)
   */
  expireIfDue(now: number = Date.now()): boolean {
    if (this.expiresAt === undefined || now < this.expiresAt) return false;
    this.close(CloseCode.UNAUTHORIZED, 'Credentials expired.');
    return true;
  }

  /** Runs `listener` once, when the connection closes. */
  onClose(listener: () => void): void {
    const listeners = this.closeListeners;
    if (this.isClosed) listener();
    else if (listeners === undefined) this.closeListeners = listener;
    else if (typeof listeners === 'function') this.closeListeners = [listeners, listener];
    else listeners.push(listener);
  }

  /** @internal The table hands the connection its subscriptions map, on the first subscribe. */
  bindSubscriptions(states: ReadonlyMap<string, SubscriptionState>): void {
    this.subscriptionStates = states;
    this.subscriptionView = new KeySetView(states);
  }

  /**
   * Called by the heartbeat sweep: send a heartbeat when one is due after `intervalMs`, and
   * cut the connection off when the last one went unanswered for `timeoutMs`.
   */
  abstract heartbeat(now: number, intervalMs: number, timeoutMs: number): void;

  /**
   * Stops reading the client's input while a decided close waits for the answers it owes; a
   * transport that can pause its socket overrides it (what arrives meanwhile is not handled).
   */
  protected stopReading(): void {}

  /**
   * The outbound buffer limit shared by all the connection's channels.
   * @default Infinity (a transport that buffers overrides it)
   */
  protected get bufferLimit(): number {
    return Number.POSITIVE_INFINITY;
  }

  /**
   * Whether the socket has not yet taken what was written (it waits for `drain`).
   * @default false
   */
  protected get behind(): boolean {
    return false;
  }

  /**
   * The transport calls this when its socket drained and after each flush: a catch-up awaited
   * then runs, once the connection is no longer {@link behind}.
   */
  protected caughtUp(): void {
    const listener = this.catchUpListener;
    if (listener === undefined || this.isClosed || this.behind) return;
    this.catchUpListener = undefined;
    listener();
  }

  /**
   * Writes one frame (not a push); as JSON text unless the transport speaks another encoding.
   */
  protected writeFrame(frame: object): void {
    this.writeText(stringifyFrame(frame));
  }

  /** Writes a JSON text frame on the transport. */
  protected abstract writeText(json: string): void;

  /** Writes a push that is not history; a transport that names its events overrides it. */
  protected writeTransient(_event: string, json: string): void {
    this.writeText(json);
  }

  /** Writes an encoded push on the transport. */
  protected abstract writePush(push: EncodedPush): void;

  /** The transport records how the connection ends; the first record wins. */
  protected noteClose(code: number, by: CloseInitiator): void {
    this.ending ??= { code, by };
  }

  /** The transport calls this exactly once when the underlying socket or stream ends. */
  protected markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.catchUpListener = undefined;
    this.answersGate?.dispose();
    const listeners = this.closeListeners;
    this.closeListeners = undefined;
    if (typeof listeners === 'function') listeners();
    else for (const listener of listeners ?? []) listener();
  }
}

const NO_SUBSCRIPTIONS: ReadonlyMap<string, SubscriptionState> = new Map();
