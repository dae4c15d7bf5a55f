import { ChannelsError } from '../client/channels.error.js';
import { Connection } from '../connection/connection.js';
import type { EncodedPush } from '../protocol/push.encoder.js';
import type { Handshake, TransportName } from '../connection/handshake.js';
import type { CommandRouter } from '../router/command.router.js';
import type { CommandFrame, ErrorBody, PushFrame } from '../protocol/frames.js';
import { ChannelsTestClient, type TestAnswer } from './channels.test-client.js';

/** A connection with no socket: what the server writes goes straight to its test client. */
class InProcessConnection extends Connection {
  onFrame: (frame: Record<string, unknown>) => void = () => undefined;
  onPush: (push: PushFrame) => void = () => undefined;
  onEnd: (code: number, reason: string) => void = () => undefined;

  constructor(
    readonly transport: TransportName,
    handshake: Handshake,
    principal: unknown,
  ) {
    super(handshake, principal);
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.markClosed();
    this.onEnd(code, reason);
  }

  heartbeat(): void {}

  protected writeText(json: string): void {
    this.onFrame(JSON.parse(json) as Record<string, unknown>);
  }

  // Pushes that are not history (presence.diff) reach the client's push queue like the others.
  protected override writeTransient(_event: string, json: string): void {
    this.onPush(JSON.parse(json) as PushFrame);
  }

  protected writePush(push: EncodedPush): void {
    this.onPush(JSON.parse(push.json) as PushFrame);
  }
}

/**
 * A {@link ChannelsTestClient} with no socket, made by `ChannelsTestHarness.connect`: its
 * commands run through the module's own router (rate limit, `subscribe`, the gateway's
 * guards, pipes, interceptors, filters and handler) and what the server writes to it is
 * copied (as JSON, so it is what a client would read).
 * @example const client = await harness.connect({ principal: { id: 'alice' } });
 */
export class InProcessTestClient extends ChannelsTestClient {
  readonly transport: TransportName;

  /** @param connection a fresh in-process connection (see {@link createInProcessConnection}) */
  constructor(
    private readonly connection: Connection,
    private readonly router: CommandRouter,
    timeoutMs: number,
  ) {
    super(connection.id, timeoutMs);
    this.transport = connection.transport;
    const wired = connection as InProcessConnection;
    wired.onPush = (push) => this.receivePush(push);
    wired.onEnd = (code, reason) => this.receiveClose(code, reason);
    wired.onFrame = (frame) => {
      if (frame.error && frame.id === undefined) this.errors.push(frame.error as ErrorBody);
    };
  }

  /** The server-side connection (what handlers get as `@ConnectedClient()`). */
  get serverConnection(): Connection {
    return this.connection;
  }

  async close(): Promise<void> {
    this.connection.close(1000, '');
  }

  protected async exchange(command: CommandFrame & { id: number }): Promise<TestAnswer> {
    if (this.closed) throw new ChannelsError('DISCONNECTED', 'The connection is closed.');
    // JSON text, as on a wire: the frame takes the transports' path (bounds, rate limit,
    // parse), and the handler gets what a client could send.
    const text = JSON.stringify(command);
    return new Promise<TestAnswer>((resolve) => {
      void this.router.receive(this.connection, text, (answer) =>
        resolve(JSON.parse(JSON.stringify(answer)) as TestAnswer),
      );
    });
  }
}

/** A connection for an {@link InProcessTestClient}. */
export function createInProcessConnection(
  transport: TransportName,
  handshake: Handshake,
  principal: unknown,
): Connection {
  return new InProcessConnection(transport, handshake, principal);
}
