import type { ClientTransport } from './client-transport.js';
import { backgroundTimeout, type TimerHandle } from './timers.js';
import type { TokenProvider } from './token.source.js';
import type { TransportSelector } from './transport.selector.js';

/**
 * While the client is on SSE, tries WebSocket again in the background whenever the
 * {@link TransportSelector} says it is time. The SSE connection stays in use until the
 * WebSocket's welcome, so a failed try costs the app nothing; a successful one is handed to
 * the connection manager, which moves over to it. Each try takes the client's current token,
 * so a try refused with 4401 is followed by one with the token `getToken` gives next.
 */
export class WebSocketReturn {
  private timer?: TimerHandle;
  private transport?: ClientTransport;
  /** Bumped by {@link cancel}: a try still waiting for its token is then dropped. */
  private round = 0;

  /**
   * @param token gives the token to offer (fetching a fresh one after a refusal)
   * @param open opens a WebSocket transport; throws when the constructor does
   * @param wanted whether a return is still wanted (connected, on SSE)
   */
  constructor(
    private readonly selector: TransportSelector,
    private readonly connectTimeoutMs: number,
    private readonly token: TokenProvider,
    private readonly open: (token: string | undefined) => ClientTransport,
    private readonly wanted: () => boolean,
  ) {}

  /** Whether `transport` is the background attempt. */
  owns(transport: ClientTransport): boolean {
    return transport === this.transport;
  }

  /** Plans the next try. */
  schedule(): void {
    this.cancel();
    const at = this.selector.webSocketRetryAt();
    if (at !== undefined)
      this.timer = backgroundTimeout(() => void this.attempt(), Math.max(0, at - Date.now()));
  }

  /** The attempt welcomed the client: it belongs to the manager now. */
  succeeded(): void {
    clearTimeout(this.timer);
    this.transport = undefined;
  }

  /** The attempt failed: try again after the retry interval. */
  failed(): void {
    this.transport = undefined;
    this.selector.upgradeFailed(Date.now());
    this.schedule();
  }

  /** Stops trying, closing an attempt in progress. */
  cancel(): void {
    this.round += 1;
    clearTimeout(this.timer);
    const transport = this.transport;
    this.transport = undefined;
    transport?.close(1000, 'not needed');
  }

  private async attempt(): Promise<void> {
    if (!this.wanted() || this.transport) return;
    const round = this.round;
    let token: string | undefined;
    try {
      token = await this.token();
    } catch {
      // No token to offer now (getToken failed): try again after the retry interval.
      if (round === this.round) this.failed();
      return;
    }
    if (round !== this.round || !this.wanted() || this.transport) return;
    let transport: ClientTransport;
    try {
      transport = this.open(token);
    } catch {
      this.selector.webSocketBlocked(Date.now());
      return this.schedule();
    }
    this.transport = transport;
    this.timer = backgroundTimeout(() => {
      if (this.transport !== transport) return;
      this.transport = undefined;
      transport.close(1000, 'connect timeout');
      this.failed();
    }, this.connectTimeoutMs);
  }
}
