import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { Connection, type EncodedPush } from '../connection/connection.js';
import type { Handshake } from '../connection/handshake.js';
import { closeReason } from '../protocol/close-reason.js';
import { CloseCode } from '../protocol/frames.js';

/** How long a closing socket may take to finish its close handshake before it is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/** A batch of corked writes is flushed early once this many bytes wait in it. */
const BATCH_FLUSH_BYTES = 64 * 1024;

/** A connection on a `ws` WebSocket. */
export class WsConnection<TPrincipal = unknown> extends Connection<TPrincipal> {
  readonly transport = 'websocket' as const;
  private lastPingAt = Date.now();
  private awaitingPong = false;
  private killTimer?: NodeJS.Timeout;
  private corked = false;

  constructor(
    private readonly socket: WebSocket,
    handshake: Handshake,
    principal: TPrincipal | undefined,
    private readonly maxBufferedBytes: number,
  ) {
    super(handshake, principal);
    socket.on('pong', () => (this.awaitingPong = false));
    // ws reports protocol violations (bad UTF-8, oversized frames) here, then closes.
    socket.on('error', () => undefined);
    socket.once('close', (code: number) => {
      this.noteClose(code, 'client');
      clearTimeout(this.killTimer);
      this.markClosed();
    });
  }

  /** Bytes waiting to be written to this socket. */
  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (this.socket.readyState === WebSocket.OPEN) this.noteClose(code, 'server');
    if (this.socket.readyState !== WebSocket.CLOSING) this.socket.close(code, closeReason(reason));
    this.killTimer ??= setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Destroys the socket at once, without a close handshake. */
  terminate(): void {
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
    this.socket.ping();
  }

  protected writeText(json: string): void {
    this.write(json);
  }

  protected writePush(push: EncodedPush): void {
    this.write(push.bytes);
  }

  private write(data: string | Buffer): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
      return;
    }
    this.batch();
    this.socket.send(data, { binary: false });
  }

  // The frames written in one tick leave in one system call: a burst of pushes otherwise costs
  // a writev each, which is most of a fan-out's time. `ws` has no public cork, so this uses
  // its socket (`_socket`, stable across ws 8) when present, and does nothing otherwise.
  private batch(): void {
    const raw = (this.socket as unknown as { _socket?: Socket })._socket;
    if (!raw || typeof raw.cork !== 'function') return;
    if (this.corked) {
      // A large burst is flushed in slices, so the batch never looks like a slow consumer.
      if (raw.writableLength >= BATCH_FLUSH_BYTES) {
        raw.uncork();
        raw.cork();
      }
      return;
    }
    this.corked = true;
    raw.cork();
    process.nextTick(() => {
      this.corked = false;
      raw.uncork();
    });
  }
}
