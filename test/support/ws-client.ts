import { WebSocket } from 'ws';
import { packFrame, unpackFrame } from '../../lib/protocol/msgpack.codec.js';

/** A frame as the server sent it. */
export type Frame = Record<string, any>;

/**
 * A raw protocol client for tests: a real `ws` socket, frames queued as they arrive.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  private waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private nextId = 1;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Whether the server answered each message as binary (MessagePack) or text, in order. */
  readonly binaryMessages: boolean[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      this.binaryMessages.push(isBinary);
      const frame = (isBinary ? unpackFrame(data as Buffer) : JSON.parse(data.toString())) as Frame;
      const waiter = this.waiters.find((w) => w.match(frame));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      } else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens a socket; resolves once it is open (not waiting for the welcome). */
  static open(
    url: string,
    options: ConstructorParameters<typeof WebSocket>[2] & { protocols?: string[] } = {},
  ): Promise<TestClient> {
    const socket = new WebSocket(url, options.protocols ?? [], options);
    const client = new TestClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
  }

  /** Opens a socket and waits for the welcome frame. */
  static async connect(
    url: string,
    options: Parameters<typeof TestClient.open>[1] = {},
  ): Promise<{ client: TestClient; welcome: Frame }> {
    const client = await TestClient.open(url, options);
    const welcome = await client.next((f) => f.event === 'connected');
    return { client, welcome };
  }

  /** The first queued or next arriving frame that matches. */
  next(match: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const index = this.frames.findIndex(match);
    if (index >= 0) return Promise.resolve(this.frames.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  /** Sends a command with a fresh id and resolves with its answer (reply or error frame). */
  async request(event: string, data?: unknown): Promise<Frame> {
    const id = this.nextId++;
    this.send({ id, event, data });
    return this.next((f) => f.id === id);
  }

  /** Sends a frame: a string as is (text), else in the socket's encoding. */
  send(frame: unknown): void {
    if (typeof frame === 'string') this.socket.send(frame);
    // A socket that negotiated channels.v1.msgpack writes MessagePack.
    else if (this.socket.protocol === 'channels.v1.msgpack') this.socket.send(packFrame(frame));
    else this.socket.send(JSON.stringify(frame));
  }

  /** Resolves to the pushes of a channel received within `ms`. */
  async pushesWithin(channel: string, ms: number): Promise<Frame[]> {
    await new Promise((r) => setTimeout(r, ms));
    const pushes = this.frames.filter((f) => f.channel === channel);
    for (const p of pushes) this.frames.splice(this.frames.indexOf(p), 1);
    return pushes;
  }

  close(): void {
    this.socket.close();
  }
}
