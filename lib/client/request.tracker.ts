import type { CommandFrame, ErrorFrame, ReplyFrame } from '../protocol/frames.js';
import { ChannelsError } from './channels.error.js';
import type { ClientTransport } from './client-transport.js';
import { backgroundTimeout, type TimerHandle } from './timers.js';

interface Pending {
  frame: CommandFrame & { id: number };
  resolve(value: unknown): void;
  reject(error: ChannelsError): void;
  timer: TimerHandle;
  /** The transport it went out on; none while it waits for a connection. */
  sentOn?: ClientTransport;
  /** Resolve with the whole reply frame (a streamed reply's `stream`), not its `data`. */
  raw: boolean;
}

/**
 * Commands awaiting their one answer, by id. Ids are unique for the client's lifetime, on
 * every transport, so an answer can never settle the wrong request. Each request has a
 * timeout; one that was never sent waits for the next connection within it.
 */
export class RequestTracker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /**
   * A new request: its frame (with a fresh id) and the promise of its answer (its `data`, or
   * with `raw` the reply frame itself).
   */
  create(
    event: string,
    data: unknown,
    timeoutMs: number,
    raw = false,
  ): { frame: CommandFrame & { id: number }; promise: Promise<unknown> } {
    const id = this.nextId++;
    const frame: CommandFrame & { id: number } =
      data === undefined ? { id, event } : { id, event, data };
    const promise = new Promise<unknown>((resolve, reject) => {
      const timer = backgroundTimeout(() => {
        this.pending.delete(id);
        reject(new ChannelsError('TIMEOUT', `No answer to "${event}" within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(id, { frame, resolve, reject, timer, raw });
    });
    return { frame, promise };
  }

  /** Records that a request went out on `transport`. */
  markSent(id: number, transport: ClientTransport): void {
    const entry = this.pending.get(id);
    if (entry) entry.sentOn = transport;
  }

  /** The requests still waiting for a connection, oldest first. */
  unsent(): Array<CommandFrame & { id: number }> {
    return [...this.pending.values()].filter((entry) => !entry.sentOn).map((entry) => entry.frame);
  }

  /**
   * Settles the request an answer belongs to.
   * @returns whether one was waiting for it
   */
  settle(answer: ReplyFrame | ErrorFrame, status?: number): boolean {
    const entry = answer.id === undefined ? undefined : this.pending.get(answer.id);
    if (!entry) return false;
    this.remove(answer.id!);
    if ('error' in answer)
      entry.reject(ChannelsError.fromBody(answer.error, status === undefined ? {} : { status }));
    else entry.resolve(entry.raw ? answer : answer.data);
    return true;
  }

  /** Fails one request. @returns whether it was waiting */
  fail(id: number, error: ChannelsError): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.remove(id);
    entry.reject(error);
    return true;
  }

  /** Fails the requests that went out on a transport that is gone. */
  failSentOn(transport: ClientTransport, error: ChannelsError): void {
    for (const [id, entry] of [...this.pending])
      if (entry.sentOn === transport) this.fail(id, error);
  }

  /** Fails every request. */
  failAll(error: ChannelsError): void {
    for (const id of [...this.pending.keys()]) this.fail(id, error);
  }

  private remove(id: number): void {
    clearTimeout(this.pending.get(id)?.timer);
    this.pending.delete(id);
  }
}
