import type { IncomingMessage, ServerResponse } from 'node:http';
import { Connection } from '../connection/connection.js';
import type { EncodedPush } from '../protocol/push.encoder.js';
import { stringifyFrame } from '../protocol/binary-value.js';
import type { Handshake } from '../connection/handshake.js';
import {
  CloseCode,
  isPositionFrame,
  type PushFrame,
  type StreamPosition,
  type WelcomeData,
} from '../protocol/frames.js';
import { encodeCursor } from './sse-cursor.js';
import { flushAtEndOfTurn, type TurnFlushable } from './turn.flusher.js';

/** The close code reported for a stream the client left: an SSE client sends none (1005). */
const CLIENT_WENT_AWAY = 1005;
/** How long an ended stream may take to flush before its socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;

/**
 * Push events that would be mistaken for the stream's own events (or for `EventSource`'s
 * `open` / `error`) are sent as unnamed `message` events; the frame in `data` still names them.
 */
const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  'connected',
  'reset',
  'close',
  'position',
  'error',
  'open',
  'message',
]);

/** Settings of one SSE stream. */
export interface SseConnectionSettings {
  /** Interval of the `: ping` comment lines. */
  heartbeatMs: number;
  /** A stream whose unsent bytes pass this is destroyed (slow consumer). */
  maxBufferedBytes: number;
}

/**
 * A connection on a Server-Sent Events stream (commands arrive as HTTP POSTs). Every push is
 * written as one event whose `id` is the stream's cursor: its position in every channel, so
 * `Last-Event-ID` resumes them all.
 *
 * @example if (client instanceof SseConnection) this.logger.debug(`SSE cursor: ${client.cursor}`);
 */
export class SseConnection<TPrincipal = unknown>
  extends Connection<TPrincipal>
  implements TurnFlushable
{
  readonly transport = 'sse' as const;
  // Whether the stream is corked until the end of this event-loop turn.
  private flushDue = false;
  private started = false;
  private lastPingAt = Date.now();
  private killTimer?: NodeJS.Timeout;
  private earlyClose?: { code: number; reason: string };

  constructor(
    request: IncomingMessage,
    private readonly response: ServerResponse,
    handshake: Handshake,
    principal: TPrincipal | undefined,
    private readonly settings: SseConnectionSettings,
  ) {
    super(handshake, principal);
    // A client that goes away, and the end of a stream the server closed, both end here.
    response.once('close', () => {
      this.noteClose(CLIENT_WENT_AWAY, 'client');
      clearTimeout(this.killTimer);
      this.markClosed();
    });
    response.on('error', () => undefined);
    // The stream took what was buffered: pushes kept back for a `latest` / `drop` channel go.
    response.on('drain', () => this.caughtUp());
    request.on('error', () => undefined);
  }

  /** Bytes waiting to be written to this stream. */
  override get bufferedBytes(): number {
    return this.response.writableLength;
  }

  protected override get bufferLimit(): number {
    return this.settings.maxBufferedBytes;
  }

  // Events corked this turn, or a stream that has not taken its buffer yet.
  protected override get behind(): boolean {
    return this.flushDue || this.response.writableNeedDrain;
  }

  /** When the connection was closed before its stream started: the code and reason it got. */
  get closedBeforeStart(): { code: number; reason: string } | undefined {
    return this.earlyClose;
  }

  /** The stream's cursor: its position in every subscribed channel, as sent in each event id. */
  get cursor(): string {
    return encodeCursor(this.subscriptionStates);
  }

  /**
   * Sends the 200 and the stream's opening: `retry:`, then the `connected` event (with the
   * cursor as its id, so even a stream that never got a push resumes where it began).
   */
  start(headers: Record<string, string>, retryMs: number, welcome: WelcomeData): void {
    if (this.closed || this.started) return;
    this.started = true;
    this.response.socket?.setNoDelay(true);
    this.response.socket?.setTimeout(0);
    this.response.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    this.write(`retry: ${retryMs}\n\n`);
    this.writeEvent('connected', JSON.stringify(welcome), this.subscriptionStates.size > 0);
    this.lastPingAt = Date.now();
  }

  /** @internal Records the stream's position in a channel (a subscribe, a resume). */
  track(channel: string, position: StreamPosition): void {
    const state = this.subscriptionStates.get(channel);
    if (state) {
      state.epoch = position.epoch;
      state.offset = position.offset;
    }
  }

  /** @internal Writes `event: reset` naming the channels whose gap history could not cover. */
  writeReset(channels: readonly string[]): void {
    this.writeEvent('reset', JSON.stringify({ channels }), true);
  }

  /** @internal Writes one replayed push, exactly as a live one. */
  replay(push: PushFrame): void {
    const json = stringifyFrame(push);
    this.track(push.channel, push);
    this.writePush({ frame: push, json, bytes: Buffer.from(json) });
  }

  /** @internal Forgets a subscription, and the channel's place in the cursor. */
  /**
   * Ends the stream with `event: close` carrying the close code a WebSocket client would get
   * (`{ "code": 1001, "reason": "server shutting down" }`), so a client knows whether to
   * reconnect. Before the stream has started, it only marks the connection closed: the
   * transport then answers the request with an error.
   */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (!this.closed) this.noteClose(code, 'server');
    if (!this.started) {
      this.earlyClose ??= { code, reason };
      return this.markClosed();
    }
    if (this.response.writableEnded) return;
    this.flush();
    this.writeEvent('close', JSON.stringify({ code, reason }), false);
    this.response.end();
    this.killTimer ??= setTimeout(() => this.response.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Destroys the stream at once, writing nothing more. */
  terminate(): void {
    if (!this.started) return this.markClosed();
    this.response.destroy();
  }

  heartbeat(now: number): void {
    if (!this.started || now - this.lastPingAt < this.settings.heartbeatMs) return;
    this.lastPingAt = now;
    this.write(': ping\n\n');
  }

  // Frames other than pushes (none on SSE today but an error not tied to a command) travel as
  // unnamed `message` events carrying the frame.
  protected writeText(json: string): void {
    this.writeEvent(undefined, json, false);
  }

  // Not history: a named event without `id:`, so the cursor (and Last-Event-ID) stays put.
  protected override writeTransient(event: string, json: string): void {
    const named = RESERVED_EVENTS.has(event) || /[\r\n\0]/.test(event) ? undefined : event;
    this.writeEvent(named, json, false);
  }

  // The event's lines after `id:` are the same on every stream, and so is the whole event on
  // every stream whose only channel is the push's (its cursor names that channel alone): both
  // are built by the first stream that writes the push and reused by the others.
  protected writePush(push: EncodedPush): void {
    // The subscription table moved this channel's position before the write.
    if (this.subscriptionStates.size === 1) {
      this.write((push.sseSolo ??= Buffer.from(`id: ${this.cursor}\n${sseTail(push)}`)));
    } else {
      this.write(`id: ${this.cursor}\n${sseTail(push)}`);
    }
  }

  /** Uncorks the stream: what was written this turn leaves in one write. */
  flush(): void {
    if (!this.flushDue) return;
    this.flushDue = false;
    if (this.response.writableCorked > 0) this.response.uncork();
    this.caughtUp();
  }

  private writeEvent(event: string | undefined, data: string, withId: boolean): void {
    let text = withId ? `id: ${this.cursor}\n` : '';
    if (event !== undefined) text += `event: ${event}\n`;
    this.write(`${text}data: ${data}\n\n`);
  }

  private write(text: string | Buffer): void {
    if (!this.started || this.closed || this.response.writableEnded || this.response.destroyed)
      return;
    if (this.response.writableLength > this.settings.maxBufferedBytes) {
      // The client does not read: nothing more would reach it, not even a close event.
      this.noteClose(CloseCode.SLOW_CONSUMER, 'server');
      this.response.destroy();
      return;
    }
    if (!this.flushDue) {
      this.flushDue = true;
      this.response.cork();
      flushAtEndOfTurn(this);
    }
    this.response.write(text);
  }
}

/** The lines of a push event after its `id:` line, built once per push. */
function sseTail(push: EncodedPush): string {
  if (push.sseTail !== undefined) return push.sseTail;
  const { frame } = push;
  // A position frame (a push this stream was excluded from) is the stream's own event: its
  // `id:` moves the cursor, and an `EventSource` shows it to no listener but `position`'s.
  if (isPositionFrame(frame)) return (push.sseTail = `event: position\ndata: ${push.json}\n\n`);
  const event = frame.event;
  // Push events that would be mistaken for the stream's own are sent unnamed (see above).
  const named = RESERVED_EVENTS.has(event) || /[\r\n\0]/.test(event) ? '' : `event: ${event}\n`;
  return (push.sseTail = `${named}data: ${push.json}\n\n`);
}
