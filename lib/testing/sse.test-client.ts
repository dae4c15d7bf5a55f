import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ChannelsError } from '../client/channels.error.js';
import { SseParser, type SseEvent } from '../client/sse.parser.js';
import type { CommandFrame, ErrorBody, PushFrame } from '../protocol/frames.js';
import { ChannelsTestClient, type TestAnswer } from './channels.test-client.js';
import { RefusedConnectionError } from './refused-connection.error.js';

/**
 * A {@link ChannelsTestClient} on the SSE fallback: pushes on a real `text/event-stream`
 * response, commands POSTed to `{path}/messages` bound to the stream
 * (`X-Channels-Connection`). Made by `connectTestClient(app, { transport: 'sse' })`.
 * @example const client = await connectTestClient(app, { transport: 'sse', token: 'alice' });
 */
export class SseTestClient extends ChannelsTestClient {
  readonly transport = 'sse' as const;
  /** The channels named by `event: reset` (their history could not be replayed). */
  readonly resets: string[] = [];
  private readonly ended: Promise<void>;

  private constructor(
    private readonly base: string,
    private readonly headers: Record<string, string>,
    private readonly stream: ClientRequest,
    response: IncomingMessage,
    connectionId: string,
    timeoutMs: number,
    parser: { onEvent?: (event: SseEvent) => void },
  ) {
    super(connectionId, timeoutMs);
    parser.onEvent = (event) => this.receiveEvent(event);
    this.ended = new Promise((resolve) =>
      response.once('close', () => {
        this.receiveClose(1006, 'The stream ended without a close event.');
        resolve();
      }),
    );
  }

  /**
   * Opens the stream at `{base}/sse` and resolves once its `connected` event arrived.
   * @throws RefusedConnectionError when the server answers with an HTTP error
   */
  static connect(
    base: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<SseTestClient> {
    return new Promise((resolve, reject) => {
      const request = send(`${base}/sse`, 'GET', { Accept: 'text/event-stream', ...headers });
      const timer = setTimeout(() => {
        request.destroy();
        reject(new Error(`No SSE welcome from ${base}/sse within ${timeoutMs} ms.`));
      }, timeoutMs);
      const fail = (error: Error) => (clearTimeout(timer), reject(error));
      request.once('error', fail);
      request.once('response', (response) => {
        response.setEncoding('utf8');
        if (response.statusCode !== 200) {
          return readAll(response).then((text) => {
            const body = (parseJson(text) as { error?: ErrorBody } | undefined)?.error;
            fail(new RefusedConnectionError('sse', { status: response.statusCode, body }));
          }, fail);
        }
        const hooks: { onEvent?: (event: SseEvent) => void } = {};
        const parser = new SseParser((event) => {
          if (hooks.onEvent) return hooks.onEvent(event);
          if (event.event !== 'connected') return;
          clearTimeout(timer);
          const id = (parseJson(event.data) as { connectionId?: string } | undefined)?.connectionId;
          resolve(
            new SseTestClient(base, headers, request, response, String(id), timeoutMs, hooks),
          );
        });
        response.on('data', (chunk: string) => parser.push(chunk));
        response.on('error', () => undefined);
      });
      request.end();
    });
  }

  async close(): Promise<void> {
    this.stream.destroy();
    await this.ended;
  }

  protected async exchange(command: CommandFrame & { id: number }): Promise<TestAnswer> {
    if (this.closed) throw new ChannelsError('DISCONNECTED', 'The stream is closed.');
    const request = send(`${this.base}/messages`, 'POST', {
      ...this.headers,
      'Content-Type': 'application/json',
      'X-Channels-Connection': this.connectionId,
    });
    const answered = new Promise<TestAnswer>((resolve, reject) => {
      request.once('error', reject);
      request.once('response', (response) => {
        response.setEncoding('utf8');
        readAll(response).then((text) => {
          const status = response.statusCode;
          const frame = parseJson(text) as TestAnswer | undefined;
          resolve(frame ? { ...frame, status } : { data: null, status });
        }, reject);
      });
    });
    request.end(JSON.stringify(command));
    return answered;
  }

  private receiveEvent(event: SseEvent): void {
    const data = parseJson(event.data) as Record<string, unknown> | undefined;
    if (event.event === 'close') {
      const close = data as { code?: number; reason?: string } | undefined;
      this.receiveClose(close?.code ?? 1006, close?.reason ?? '');
      this.stream.destroy();
    } else if (event.event === 'reset') {
      this.resets.push(...((data?.channels as string[] | undefined) ?? []));
    } else if (typeof data?.channel === 'string') {
      this.receivePush(data as unknown as PushFrame);
    } else if (data?.error) {
      this.errors.push(data.error as ErrorBody);
    }
  }
}

function send(url: string, method: string, headers: Record<string, string>): ClientRequest {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  // No keep-alive: a pooled socket would hold the app's server open after the test.
  return request(url, { method, headers, agent: false });
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.on('data', (chunk: string) => (text += chunk));
    response.once('end', () => resolve(text));
    response.once('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
