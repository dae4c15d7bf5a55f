/**
 * What `context.switchToHttp().getResponse()` gives a guard at the handshake: a stand-in with
 * the parts of an Express response that passport and auth guards touch (`setHeader`,
 * `status`, `end`). Nothing written to it reaches the client; the handshake's answer is the
 * welcome frame, or a close code (an HTTP status on SSE) made from what the guard threw.
 *
 * @example
 * const response = context.switchToHttp().getResponse<HandshakeResponse>();
 * response.setHeader('WWW-Authenticate', 'Bearer'); // kept, not sent
 */
export class HandshakeResponse {
  /** The status a guard set (never sent). @default 200 */
  statusCode = 200;
  /** The headers a guard set (never sent). */
  readonly headers: Record<string, string | number | readonly string[]> = {};
  /** Whether a guard ended it. */
  ended = false;

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): string | number | readonly string[] | undefined {
    return this.headers[name.toLowerCase()];
  }

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  end(): this {
    this.ended = true;
    return this;
  }
}
