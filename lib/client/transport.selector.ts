import type { TransportName } from './client-transport.js';

/**
 * Chooses the transport of each connection attempt: WebSocket first, SSE when WebSocket is
 * blocked, and WebSocket again later.
 *
 * WebSocket counts as blocked when its constructor throws (a page or extension that removed
 * it, a content policy), or when it fails to open `failuresBeforeFallback` times in a row
 * before it has ever welcomed this client (a proxy that drops upgrades). A WebSocket that has
 * worked once is trusted: later failures mean the server is down, not the path blocked. When
 * the SSE stream cannot reach the server either, the server is down, so WebSocket is tried
 * next. After `retryWebSocketMs` on SSE the client tries WebSocket again in the background.
 */
export class TransportSelector {
  private webSocketWorked = false;
  private failures = 0;
  private avoidWebSocketUntil = 0;

  constructor(
    private readonly allowed: readonly TransportName[],
    private readonly failuresBeforeFallback: number,
    private readonly retryWebSocketMs: number,
  ) {}

  /** Whether the client may use `name`. */
  allows(name: TransportName): boolean {
    return this.allowed.includes(name);
  }

  /** The transport of the next attempt. */
  next(now: number): TransportName {
    if (!this.allows('websocket')) return 'sse';
    if (!this.allows('sse')) return 'websocket';
    return now >= this.avoidWebSocketUntil ? 'websocket' : 'sse';
  }

  /** The WebSocket constructor threw. */
  webSocketBlocked(now: number): void {
    this.failures = 0;
    this.avoidWebSocketUntil = now + this.retryWebSocketMs;
  }

  /** A WebSocket failed to open, or closed on the network before its welcome. */
  webSocketFailed(now: number): void {
    if (this.webSocketWorked) return;
    this.failures += 1;
    if (this.failures >= this.failuresBeforeFallback) this.webSocketBlocked(now);
  }

  /** A WebSocket welcomed the client. */
  webSocketWelcomed(): void {
    this.webSocketWorked = true;
    this.failures = 0;
    this.avoidWebSocketUntil = 0;
  }

  /** A background attempt to return to WebSocket failed: wait again before the next one. */
  upgradeFailed(now: number): void {
    this.avoidWebSocketUntil = now + this.retryWebSocketMs;
  }

  /** The SSE stream could not reach the server at all: the server is down. */
  sseUnreachable(): void {
    this.avoidWebSocketUntil = 0;
  }

  /** When to try WebSocket again, while connected over SSE; undefined when never. */
  webSocketRetryAt(): number | undefined {
    return this.allows('websocket') && this.allows('sse') ? this.avoidWebSocketUntil : undefined;
  }
}
