import { EventSource, type FetchLike } from 'eventsource';

/** One request the EventSource made, as the server saw its headers. */
export interface EventSourceRequest {
  headers: Record<string, string>;
}

/**
 * A real `EventSource` (the `eventsource` package) whose fetch adds a bearer token, records
 * every request it makes (so a test can see the `Last-Event-ID` of a reconnect), and can hold
 * a reconnect back until the test releases it.
 */
export class TestEventSource {
  readonly source: EventSource;
  readonly requests: EventSourceRequest[] = [];
  private gate?: Promise<void>;
  private readonly received = new Map<string, MessageEvent[]>();
  private readonly waiters: Array<{ type: string; count: number; resolve: () => void }> = [];

  constructor(url: string, token: string | undefined, listen: string[]) {
    const fetchWithAuth: FetchLike = async (input, init) => {
      const headers: Record<string, string> = { ...init.headers };
      if (token) headers.Authorization = `Bearer ${token}`;
      this.requests.push({ headers });
      if (this.gate) await this.gate;
      return fetch(input, { ...init, headers });
    };
    this.source = new EventSource(url, { fetch: fetchWithAuth });
    for (const type of listen) {
      this.received.set(type, []);
      this.source.addEventListener(type, (event) => {
        this.received.get(type)!.push(event);
        for (const waiter of [...this.waiters]) {
          if (waiter.type === type && this.received.get(type)!.length >= waiter.count) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      });
    }
  }

  /** Events of one type received so far. */
  events(type: string): MessageEvent[] {
    return this.received.get(type) ?? [];
  }

  /** Resolves once `count` events of `type` have arrived in total. */
  waitFor(type: string, count: number, timeoutMs = 5000): Promise<MessageEvent[]> {
    if (this.events(type).length >= count) return Promise.resolve(this.events(type));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${count} "${type}" events`)),
        timeoutMs,
      );
      this.waiters.push({
        type,
        count,
        resolve: () => (clearTimeout(timer), resolve(this.events(type))),
      });
    });
  }

  /** Holds every later (re)connection until the returned function is called. */
  holdReconnects(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  close(): void {
    this.source.close();
  }
}
