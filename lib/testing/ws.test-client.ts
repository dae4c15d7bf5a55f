import { WebSocket, type RawData } from 'ws';
import { ChannelsError } from '../client/channels.error.js';
import type { CommandFrame, ErrorBody, PushFrame } from '../protocol/frames.js';
import { ChannelsTestClient, type TestAnswer } from './channels.test-client.js';
import { RefusedConnectionError } from './refused-connection.error.js';

type Frame = Record<string, unknown>;

/**
 * A {@link ChannelsTestClient} on a real WebSocket (`ws`). Made by `connectTestClient`.
 * @example const client = await connectTestClient(app, { transport: 'websocket', token: 'alice' });
 */
export class WsTestClient extends ChannelsTestClient {
  readonly transport = 'websocket' as const;
  private readonly pending = new Map<
    number,
    { resolve: (answer: TestAnswer) => void; reject: (error: Error) => void }
  >();
  private readonly ended: Promise<void>;

  private constructor(
    private readonly socket: WebSocket,
    connectionId: string,
    timeoutMs: number,
  ) {
    super(connectionId, timeoutMs);
    socket.on('message', (data) => this.receive(data));
    this.ended = new Promise((resolve) =>
      socket.once('close', (code, reason) => {
        this.receiveClose(code, reason.toString());
        for (const { reject } of this.pending.values())
          reject(new ChannelsError('DISCONNECTED', `The connection closed (${code}) first.`));
        this.pending.clear();
        resolve();
      }),
    );
  }

  /**
   * Opens a WebSocket to `url` and resolves once the welcome frame arrived.
   * @throws RefusedConnectionError when the server closes it before the welcome or answers
   *   the upgrade with an HTTP error
   */
  static connect(
    url: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<WsTestClient> {
    const socket = new WebSocket(url, ['channels.v1'], { headers });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`No welcome from ${url} within ${timeoutMs} ms.`));
      }, timeoutMs);
      const fail = (error: Error) => (clearTimeout(timer), reject(error));
      socket.once('message', (data) => {
        clearTimeout(timer);
        socket.removeAllListeners('close');
        const welcome = parse(data) as { data?: { connectionId?: string } } | undefined;
        resolve(new WsTestClient(socket, String(welcome?.data?.connectionId), timeoutMs));
      });
      socket.once('close', (code, reason) =>
        fail(
          new RefusedConnectionError('websocket', { closeCode: code, reason: reason.toString() }),
        ),
      );
      socket.once('unexpected-response', (_request, response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const body = (parse(text) as { error?: ErrorBody } | undefined)?.error;
          fail(new RefusedConnectionError('websocket', { status: response.statusCode, body }));
        });
      });
      socket.on('error', (error) => {
        if (socket.readyState === WebSocket.CONNECTING) fail(error);
      });
    });
  }

  /**
   * Sends a raw frame (a string as is, anything else as JSON): for tests of what the server
   * does with a malformed one.
   */
  sendRaw(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close(1000);
    await this.ended;
  }

  protected exchange(command: CommandFrame & { id: number }): Promise<TestAnswer> {
    if (this.closed)
      return Promise.reject(new ChannelsError('DISCONNECTED', 'The connection is closed.'));
    return new Promise((resolve, reject) => {
      this.pending.set(command.id, { resolve, reject });
      this.socket.send(JSON.stringify(command));
    });
  }

  private receive(data: RawData): void {
    const frame = parse(data);
    if (!frame) return;
    const id = frame.id;
    if (typeof id === 'number' && this.pending.has(id)) {
      const { resolve } = this.pending.get(id)!;
      this.pending.delete(id);
      return resolve(frame as TestAnswer);
    }
    if (typeof frame.channel === 'string') return this.receivePush(frame as unknown as PushFrame);
    if (frame.error) this.errors.push(frame.error as ErrorBody);
  }
}

function parse(data: RawData | string): Frame | undefined {
  try {
    const value: unknown = JSON.parse(data.toString());
    return typeof value === 'object' && value !== null ? (value as Frame) : undefined;
  } catch {
    return undefined;
  }
}
