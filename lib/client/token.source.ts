/** Where the client's token comes from: a fixed one, a `getToken` callback, or none. */
export type GetToken = () => string | undefined | Promise<string | undefined>;

/** Gives the token to send now: the last one obtained, or a fresh one when it was refused. */
export type TokenProvider = () => Promise<string | undefined>;

/**
 * The client's token. A given token is used until the server refuses it; `getToken` is
 * called for the first token (when none was given) and after every refusal, never more
 * often: a token is fetched only when one is needed, and callers that need one while it is
 * being fetched share that fetch.
 */
export class TokenSource {
  private fresh: boolean;
  private fetching?: Promise<string | undefined>;

  constructor(
    private token: string | undefined,
    private readonly getToken: GetToken | undefined,
  ) {
    this.fresh = token !== undefined || !getToken;
  }

  /** Whether a refused token can be replaced. */
  get canRefresh(): boolean {
    return this.getToken !== undefined;
  }

  /**
   * The token to send now, fetching a new one when the last was refused.
   * @throws whatever `getToken` throws (rejects)
   */
  current(): Promise<string | undefined> {
    if (this.fresh || !this.getToken) return Promise.resolve(this.token);
    this.fetching ??= this.fetch(this.getToken);
    return this.fetching;
  }

  /**
   * The server refused the token: the next `current()` fetches another. A refusal that
   * arrives while one is being fetched does not refuse the one coming.
   */
  markStale(): void {
    if (this.getToken && !this.fetching) this.fresh = false;
  }

  private async fetch(getToken: GetToken): Promise<string | undefined> {
    try {
      this.token = (await getToken()) ?? undefined;
      this.fresh = true;
      return this.token;
    } finally {
      this.fetching = undefined;
    }
  }
}
