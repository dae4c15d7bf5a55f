/**
 * One event of a `text/event-stream`, as {@link SseParser} reports it.
 * @example
 * { event: 'reset', data: '{"channels":["user:42"]}', id: 'eyJ1c2VyOjQyIjpbImszSjkiLDE4XX0' }
 */
export interface SseEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
  /** The event's `id:` field, when it has one. */
  id?: string;
}

/**
 * An incremental parser of the `text/event-stream` format (WHATWG HTML, "server-sent
 * events"): feed it decoded text as it arrives, in chunks of any size, and it reports each
 * complete event and each comment line (`: ping`).
 *
 * @example
 * const parser = new SseParser((e) => console.log(e.event, e.data), () => alive());
 * parser.push('event: connected\ndata: {}\n\n');
 */
export class SseParser {
  private buffer = '';
  private started = false;
  private skipNewline = false;
  private event = '';
  private data: string[] = [];
  private id?: string;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onComment: (text: string) => void = () => undefined,
  ) {}

  /** Feeds decoded text. */
  push(chunk: string): void {
    if (chunk.length === 0) return;
    let text = chunk;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR ending the previous chunk may be the first half of a CRLF.
    if (this.skipNewline && text.startsWith('\n')) text = text.slice(1);
    this.skipNewline = false;
    this.buffer += text;
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf('\r', start);
      const lf = this.buffer.indexOf('\n', start);
      const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      if (end < 0) break;
      const line = this.buffer.slice(start, end);
      if (this.buffer[end] === '\n') start = end + 1;
      else if (end + 1 === this.buffer.length) {
        start = end + 1;
        this.skipNewline = true;
      } else start = this.buffer[end + 1] === '\n' ? end + 2 : end + 1;
      this.line(line);
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return this.onComment(line.slice(1).trimStart());
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    // `retry:` is ignored: the client schedules its own reconnects.
  }

  private dispatch(): void {
    const hasData = this.data.length > 0;
    const event: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
    if (this.id !== undefined) event.id = this.id;
    this.event = '';
    this.data = [];
    this.id = undefined;
    if (hasData) this.onEvent(event);
  }
}
