/** Where the client's token comes from: a fixed one, a `getToken` callback, or none. */
export type GetToken = () => string | undefined | Promise<string | undefined>;

/**
 * The client's token. A given token is used until the server refuses it; `getToken` is
 * called for the first token (when none was given) and after every refusal, never more
 * often: a token is fetched only when one is needed.
 */
export class TokenSource {
  private fresh: boolean;

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

  /** The last token obtained, without fetching. */
  get last(): string | undefined {
    return this.token;
  }

  /** The token to connect with, fetching a new one when the last was refused. */
  async current(): Promise<string | undefined> {
    if (this.fresh || !this.getToken) return this.token;
    this.token = (await this.getToken()) ?? undefined;
    this.fresh = true;
    return this.token;
  }

  /** The server refused the token: the next `current()` fetches another. */
  markStale(): void {
    if (this.getToken) this.fresh = false;
  }
}
