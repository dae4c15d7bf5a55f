import { Connection, type EncodedPush, type Handshake } from '../../lib/index.js';

/** A connection that records what the fan-out hands it (no socket). */
export class RecordingConnection extends Connection {
  readonly transport = 'websocket' as const;
  readonly pushes: EncodedPush[] = [];
  constructor() {
    super({ headers: {}, url: '/', query: {} } as unknown as Handshake, undefined);
  }
  close(): void {
    this.markClosed();
  }
  heartbeat(): void {}
  protected writeText(): void {}
  protected writePush(push: EncodedPush): void {
    this.pushes.push(push);
  }
  /** The offsets received so far. */
  offsets(): number[] {
    return this.pushes.map((push) => push.frame.offset);
  }
}
