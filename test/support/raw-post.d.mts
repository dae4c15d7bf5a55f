/** What became of one raw POST, in milliseconds from when its head was written. */
export interface RawPostOutcome {
  /** The answer's status; 0 when none came. */
  status: number;
  /** When the status line arrived. */
  answeredMs: number | undefined;
  /** When the server closed the socket (or the wait ended). */
  closedMs: number | undefined;
  /** The answer's `Retry-After` header, when it had one. */
  retryAfter: string | undefined;
  /** The answer's body, as far as it came. */
  body: string;
}

/** A POST written by hand over TCP: its head, then `sent` (maybe less than `declared` bytes). */
export interface RawPostRequest {
  /** `http://host:port/path` */
  url: string;
  headers?: Record<string, string>;
  /** The body bytes sent. */
  sent: string;
  /** The declared `Content-Length`. @default the length of `sent` */
  declared?: number;
}

/**
 * Sends one POST over a raw socket (so it can declare more than it sends: a half-open POST);
 * resolves once the server closed the socket or `waitMs` passed (the socket is then destroyed).
 * @example const outcome = await rawPost({ url, sent: '{"id":1,', declared: 60_000 }, 3_000);
 */
export function rawPost(request: RawPostRequest, waitMs: number): Promise<RawPostOutcome>;

/**
 * Sends `count` {@link rawPost}s from a process of its own (the attacker is another machine:
 * its socket work is not on the event loop that is measured), started evenly over `spreadMs`
 * (0: all at once); resolves with every outcome.
 */
export function rawPostsFrom(
  request: RawPostRequest,
  count: number,
  waitMs: number,
  spreadMs?: number,
): Promise<RawPostOutcome[]>;
