import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ClientRequest,
} from 'node:http';

/** One parsed SSE block: an event, or a comment line. */
export interface SseEvent {
  /** `message` when the block named no event; `comment` for a `:` line. */
  event: string;
  data: string;
  id?: string;
  retry?: number;
  /** `data` parsed as JSON, when it is JSON. */
  json?: any;
}

/**
 * A raw SSE client for tests: a plain node:http GET, the stream parsed as it arrives, comments
 * kept (as `comment` events) so heartbeats can be seen.
 */
export class RawSseClient {
  readonly events: SseEvent[] = [];
  readonly ended: Promise<void>;
  private waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  private buffer = '';

  private constructor(
    readonly request: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.feed(chunk));
    this.ended = new Promise((resolve) => response.once('close', () => resolve()));
    response.on('error', () => undefined);
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  get headers(): IncomingHttpHeaders {
    return this.response.headers;
  }

  /** Opens a stream; resolves with the client as soon as the response head arrives. */
  static open(url: string, headers: Record<string, string> = {}): Promise<RawSseClient> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, {
        headers: { Accept: 'text/event-stream', ...headers },
        agent: false,
      });
      req.once('response', (res) => resolve(new RawSseClient(req, res)));
      req.once('error', reject);
      req.end();
    });
  }

  /**
   * POSTs `body` (JSON) asking for `text/event-stream` (a streamed reply as its own response);
   * resolves with the client as soon as the response head arrives.
   */
  static post(
    url: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<RawSseClient> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: { Accept: 'text/event-stream', 'Content-Type': 'application/json', ...headers },
        agent: false,
      });
      req.once('response', (res) => resolve(new RawSseClient(req, res)));
      req.once('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  /** Opens a stream and waits for its `connected` event. */
  static async connect(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ client: RawSseClient; welcome: SseEvent }> {
    const client = await RawSseClient.open(url, headers);
    if (client.status !== 200) throw new Error(`HTTP ${client.status}`);
    return { client, welcome: await client.next((e) => e.event === 'connected') };
  }

  /** The whole body of a refused (non-stream) response. */
  async body(): Promise<string> {
    await this.ended;
    return this.buffer;
  }

  /** The first queued or next arriving event that matches. */
  next(
    match: (e: SseEvent) => boolean = (e) => e.event !== 'comment' && e.event !== 'retry',
    timeoutMs = 5000,
  ): Promise<SseEvent> {
    const index = this.events.findIndex(match);
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('timed out waiting for an SSE event')),
        timeoutMs,
      );
      this.waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  /** The next `n` pushes (events whose data has a `channel`), in order. */
  async pushes(n: number, timeoutMs = 5000): Promise<SseEvent[]> {
    const found: SseEvent[] = [];
    while (found.length < n)
      found.push(await this.next((e) => e.json?.channel !== undefined, timeoutMs));
    return found;
  }

  close(): void {
    this.request.destroy();
  }

  private feed(chunk: string): void {
    if (this.response.statusCode !== 200) {
      this.buffer += chunk;
      return;
    }
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.emit(parseBlock(block));
    }
  }

  private emit(event: SseEvent): void {
    const waiter = this.waiters.find((w) => w.match(event));
    if (waiter) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    } else this.events.push(event);
  }
}

function parseBlock(block: string): SseEvent {
  const event: SseEvent = { event: 'message', data: '' };
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) return { event: 'comment', data: line.slice(1).trim() };
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event.event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') event.id = value;
    else if (field === 'retry') event.retry = Number(value);
  }
  event.data = data.join('\n');
  try {
    event.json = JSON.parse(event.data);
  } catch {
    // not JSON
  }
  if (event.retry !== undefined && data.length === 0) event.event = 'retry';
  return event;
}

/** The answer to one HTTP request. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json?: any;
}

/** Sends one HTTP request (no keep-alive) and reads the whole answer. */
export function httpCall(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs a command (JSON) to `{base}/messages`. */
export function postCommand(
  url: string,
  command: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return httpCall(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof command === 'string' ? command : JSON.stringify(command),
  });
}
