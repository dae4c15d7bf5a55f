import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { Connection } from '../connection/connection.js';
import { msgpackPushFrame, type EncodedPush } from '../protocol/push.encoder.js';
import { packFrame } from '../protocol/msgpack.codec.js';
import type { Handshake } from '../connection/handshake.js';
import { closeReason } from '../protocol/close-reason.js';
import { CloseCode } from '../protocol/frames.js';
import { welcomeData, welcomeFrameJson } from '../protocol/welcome.frame.js';
import { flushAtEndOfTurn, type TurnFlushable } from './turn.flusher.js';
import { maybeDeflate, plainPayload, type DeflateParams } from './ws.deflate.js';
import type { WireFrameReader } from './ws.frame-reader.js';
import { encodeBinaryFrame, encodeTextFrame } from '../protocol/ws-frame.encoder.js';

/**
 * How a WebSocket connection's frames are encoded, chosen by its subprotocol: `json`
 * (`channels.v1`, text messages) or `msgpack` (`channels.v1.msgpack`, binary messages).
 * @default 'json'
 */
export type WireEncoding = 'json' | 'msgpack';

/** How long a closing socket may take to finish its close handshake before it is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/** The frames gathered in one turn are written early once this many bytes wait. */
const BATCH_FLUSH_BYTES = 64 * 1024;
/**
 * The heartbeat: a ping with no payload (FIN, opcode 9, length 0), built once and written as
 * is to every socket, where `ws.ping()` builds an options object and a header per call.
 */
const PING_FRAME = Buffer.from([0x89, 0x00]);

/** The parts of `ws` 8's sender this reads: it writes straight to the socket when idle. */
interface WsSender {
  /** 0 (DEFAULT) when no compression or blob read is under way. */
  _state: number;
  /** Sends waiting for that to end. */
  _queue: unknown[];
}

/**
 * The `ws` socket class the transport's server makes (its `WebSocket` option): it knows its
 * connection, so one listener per event serves every socket, with no closure per socket.
 */
export class ChannelsWebSocket extends WebSocket {
  /** @internal The connection on this socket, once it is accepted. */
  connection: WsConnection | undefined = undefined;
}

// ws reports protocol violations (bad UTF-8, oversized frames) here, then closes.
function ignoreError(): void {}

/**
 * A connection on a `ws` WebSocket. Every outbound text frame (pushes, replies, errors) is
 * framed by this module and gathered until the end of the event-loop turn, then written to the
 * socket in one write; a push is framed once for all subscribers (see `encodePush`).
 */
export class WsConnection<TPrincipal = unknown>
  extends Connection<TPrincipal>
  implements TurnFlushable
{
  readonly transport = 'websocket' as const;
  private lastPingAt = Date.now();
  private awaitingPong = false;
  private killTimer?: NodeJS.Timeout;
  // The TCP socket and the sender under `ws` (`_socket`, `_sender`: stable across ws 8), or
  // undefined where they are not there: every frame then goes through `ws.send`.
  private readonly raw: Socket | undefined;
  private readonly sender: WsSender | undefined;
  // Frames gathered this turn: one alone needs no array (most turns of most sockets); more go
  // to an array that is kept and reused. Then their size, and whether a flush is scheduled.
  private pendingOne?: Buffer;
  private pending?: Buffer[];
  private pendingBytes = 0;
  private flushDue = false;
  private drainHeard = false;
  // The socket's backlog right after this connection's last write to it. It only shrinks
  // until the next one (ws's own control frames, a few bytes, aside): an upper bound that
  // spares reading the socket for every frame.
  private backlogAtWrite = 0;
  private readonly deflate: DeflateParams | undefined;
  /** @internal What reads this socket's messages: made by the transport on the first one. */
  reader: WireFrameReader | undefined;

  constructor(
    /** The transport's server makes every socket a {@link ChannelsWebSocket}. */
    private readonly socket: ChannelsWebSocket,
    handshake: Handshake,
    principal: TPrincipal | undefined,
    private readonly maxBufferedBytes: number,
    /** The encoding of every frame, both ways; one per connection. @default 'json' */
    readonly encoding: WireEncoding = 'json',
    /** permessage-deflate as negotiated with this client; undefined when not. */
    deflate?: DeflateParams,
  ) {
    super(handshake, principal);
    const internals = socket as unknown as { _socket?: Socket; _sender?: WsSender };
    const direct =
      typeof internals._socket?.write === 'function' &&
      typeof internals._sender?._state === 'number' &&
      Array.isArray(internals._sender._queue);
    this.raw = direct ? internals._socket : undefined;
    this.sender = direct ? internals._sender : undefined;
    // Compressed frames go straight to the socket; without it, ws's send writes them plain.
    this.deflate = direct ? deflate : undefined;
    socket.connection = this;
    socket.on('error', ignoreError);
    socket.on('pong', WsConnection.onPong);
    // `on`, not `once` (whose wrapper is one more function and object per socket): ws emits
    // `close` once.
    socket.on('close', WsConnection.onClose);
  }

  private static onPong(this: WebSocket): void {
    const connection = (this as ChannelsWebSocket).connection;
    if (connection) connection.awaitingPong = false;
  }

  private static onClose(this: WebSocket, code: number): void {
    (this as ChannelsWebSocket).connection?.socketClosed(code);
  }

  private socketClosed(code: number): void {
    this.noteClose(code, 'client');
    clearTimeout(this.killTimer);
    this.markClosed();
  }

  /**
   * @internal Waits for the connection to catch up; from the first wait on, the socket's
   * `drain` is heard too (most connections never wait, and never need the listener).
   */
  override awaitCatchUp(listener: () => void): void {
    if (this.raw && !this.drainHeard) {
      this.drainHeard = true;
      // The socket took what was buffered: pushes kept back for a `latest` / `drop` channel go.
      this.raw.on('drain', () => this.caughtUp());
    }
    super.awaitCatchUp(listener);
  }

  /** Bytes waiting to be written to this socket (gathered this turn, or in its buffers). */
  override get bufferedBytes(): number {
    return this.socket.bufferedAmount + this.pendingBytes;
  }

  protected override get bufferLimit(): number {
    return this.maxBufferedBytes;
  }

  // Frames gathered this turn, or a socket that has not taken its buffer yet.
  protected override get behind(): boolean {
    if (this.pendingBytes > 0) return true;
    return this.raw ? this.raw.writableNeedDrain : this.socket.bufferedAmount > 0;
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (this.socket.readyState === WebSocket.OPEN) {
      this.noteClose(code, 'server');
      // What was written before the close (an error frame, the last pushes) leaves before it,
      // whatever state the writer is in.
      this.writePending(true);
      // Reading was paused while the close waited for answers: the client's close frame must
      // be read for the close handshake to complete.
      if (this.socket.isPaused) this.socket.resume();
    }
    if (this.socket.readyState !== WebSocket.CLOSING) this.socket.close(code, closeReason(reason));
    this.killTimer ??= setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Destroys the socket at once, without a close handshake. */
  terminate(): void {
    this.dropPending();
    this.socket.terminate();
  }

  heartbeat(now: number, intervalMs: number, timeoutMs: number): void {
    if (this.awaitingPong) {
      if (now - this.lastPingAt >= timeoutMs)
        this.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
      return;
    }
    if (now - this.lastPingAt < intervalMs || this.socket.readyState !== WebSocket.OPEN) return;
    this.awaitingPong = true;
    this.lastPingAt = now;
    // A control frame may go between two messages: gathered frames can follow it.
    if (this.senderIdle && this.raw!.writable) this.raw!.write(PING_FRAME);
    else this.socket.ping();
  }

  /**
   * @internal Sends the welcome frame (`connected`): on a JSON connection its text is put
   * together here, not serialized from an object (once per connection, on every handshake).
   */
  sendWelcome(heartbeatMs: number): void {
    if (this.encoding !== 'json') {
      return this.send({ event: 'connected', data: welcomeData(this.id, heartbeatMs) });
    }
    if (this.closed || this.expireIfDue()) return;
    const frame = encodeTextFrame(welcomeFrameJson(this.id, heartbeatMs));
    // The first frame, with nothing gathered before it: written at once (the transport has
    // the socket corked with the 101 response), not gathered for the end of the turn.
    if (!this.deflate && this.pendingBytes === 0 && this.senderIdle && this.raw!.writable)
      this.writeRaw(frame);
    else this.writeOwn(frame);
  }

  protected writeText(json: string): void {
    this.writeOwn(encodeTextFrame(json));
  }

  protected writePush(push: EncodedPush): void {
    const frame =
      this.encoding === 'msgpack'
        ? msgpackPushFrame(push)
        : (push.wsFrame ??= encodeTextFrame(push.json));
    // A push is compressed once, for every subscriber with the same window.
    this.write(this.deflate ? maybeDeflate(frame, this.deflate, push) : frame);
  }

  protected override writeFrame(frame: object): void {
    if (this.encoding === 'msgpack') this.writeOwn(encodeBinaryFrame(packFrame(frame)));
    else super.writeFrame(frame);
  }

  // A frame of this connection alone (a reply, an error, the welcome), compressed for it.
  private writeOwn(frame: Buffer): void {
    this.write(this.deflate ? maybeDeflate(frame, this.deflate) : frame);
  }

  // Presence frames come as JSON text, encoded once for every subscriber; a MessagePack
  // connection reads and packs its own copy (they are few: at most one per channel and window).
  protected override writeTransient(event: string, json: string): void {
    if (this.encoding === 'msgpack') this.writeFrame(JSON.parse(json) as object);
    else super.writeTransient(event, json);
  }

  /**
   * Writes the frames gathered this turn in one write. When `ws`'s sender is busy (it never is
   * without compression or blobs, which this transport does not use) they wait a turn more, so
   * no frame cuts into one of its own.
   */
  flush(): void {
    this.flushDue = false;
    this.writePending();
    this.caughtUp();
  }

  // A pause, so that a client whose close waits for its answers is not read any further.
  protected override stopReading(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.pause();
  }

  // `closing`: the close frame follows at once, so the frames cannot wait for a later turn.
  private writePending(closing = false): void {
    if (this.pendingBytes === 0) return;
    // `writable` reads the socket's write state, which the write reads anyway (not `destroyed`).
    if (this.socket.readyState !== WebSocket.OPEN || !this.raw?.writable) {
      this.dropPending();
      return;
    }
    if (!this.senderIdle) {
      if (closing) {
        // ws's sender is busy: queue them behind what it holds, and so before its close frame.
        const frames = this.pendingOne ? [this.pendingOne] : this.pending!.slice();
        this.dropPending();
        for (const frame of frames)
          this.socket.send(plainPayload(frame), { binary: isBinary(frame), compress: false });
        return;
      }
      if (!this.flushDue) {
        this.flushDue = true;
        flushAtEndOfTurn(this);
      }
      return;
    }
    const bytes = this.pendingOne ?? joinFrames(this.pending!, this.pendingBytes);
    this.dropPending();
    this.writeRaw(bytes);
  }

  // ws's sender is idle (no compression or blob read under way, nothing queued behind it): a
  // frame written straight to the socket cuts into none of its own. False without direct access.
  private get senderIdle(): boolean {
    const sender = this.sender;
    return sender !== undefined && sender._state === 0 && sender._queue.length === 0;
  }

  private writeRaw(bytes: Buffer): void {
    this.raw!.write(bytes);
    this.backlogAtWrite = this.raw!.writableLength;
  }

  // Runs once per subscriber of every push: it reads only this object. The socket's state is
  // read when the frames are written (a closed socket drops them there), and here only when
  // its backlog at the last write, with what this turn gathered, could pass the limit.
  private write(frame: Buffer): void {
    if (!this.raw || this.backlogAtWrite + this.pendingBytes > this.maxBufferedBytes) {
      if (this.socket.readyState !== WebSocket.OPEN) return;
      if (this.bufferedBytes > this.maxBufferedBytes) {
        this.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
        return;
      }
    }
    if (!this.raw) {
      // No access to the socket under ws: a plain send, which frames the payload itself.
      this.socket.send(plainPayload(frame), { binary: isBinary(frame), compress: false });
      return;
    }
    if (this.pendingBytes === 0) this.pendingOne = frame;
    else if (this.pendingOne) {
      (this.pending ??= []).push(this.pendingOne, frame);
      this.pendingOne = undefined;
    } else this.pending!.push(frame);
    this.pendingBytes += frame.length;
    // A large burst is written in slices, so the batch never looks like a slow consumer.
    if (this.pendingBytes >= BATCH_FLUSH_BYTES) this.writePending();
    else if (!this.flushDue) {
      this.flushDue = true;
      flushAtEndOfTurn(this);
    }
  }

  private dropPending(): void {
    this.pendingOne = undefined;
    if (this.pending) this.pending.length = 0;
    this.pendingBytes = 0;
  }
}

// The opcode of a frame this module made (the low 4 bits of its first byte): 2 is binary.
function isBinary(frame: Buffer): boolean {
  return (frame[0]! & 0x0f) === 0x02;
}

// The subscribers of a channel gather the same frames in a turn, and are flushed one after
// another: the frames joined for one socket are reused for the next that gathered the very
// same ones (the same Buffers, in the same order), so a turn's burst is copied once, not once
// per socket. Frames are never written to after they are built, so sharing them is safe.
let joinedParts: Buffer[] = [];
let joined: Buffer | undefined;

function joinFrames(parts: Buffer[], length: number): Buffer {
  if (joined !== undefined && joined.length === length && parts.length === joinedParts.length) {
    let same = true;
    for (let i = 0; i < parts.length && same; i++) same = parts[i] === joinedParts[i];
    if (same) return joined;
  }
  joined = Buffer.concat(parts, length);
  joinedParts = parts.slice();
  return joined;
}
