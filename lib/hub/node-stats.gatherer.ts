import { randomUUID } from 'node:crypto';
import type { NodeStats } from '../connection/channels-event.types.js';
import type { StatsRequestControl, StatsResultControl } from '../brokers/broker.message.js';

/**
 * How long `ChannelsService.clusterStats()` waits for the other nodes' answers, in
 * milliseconds: a node that has not answered by then is left out.
 * @default 500
 * @example lifecycle.statsTimeoutMs = STATS_TIMEOUT_MS * 2;
 */
export const STATS_TIMEOUT_MS = 500;

interface Pending {
  answers: NodeStats[];
  expected: number | undefined;
  done: () => void;
}

/**
 * The stats requests of one node in flight: each collects the other nodes' answers until as
 * many came as the broker said it delivered the request to, or the timeout.
 * @example
 * const others = await gatherer.gather(nodeId, (request) => broker.publish(request), 500);
 */
export class NodeStatsGatherer {
  private readonly pending = new Map<string, Pending>();

  /**
   * Sends a request with `send` and resolves with the answers that came in time.
   * @param send publishes the request; may resolve with how many other nodes received it
   */
  async gather(
    node: string,
    send: (request: StatsRequestControl) => Promise<number | undefined>,
    timeoutMs: number,
  ): Promise<NodeStats[]> {
    const requestId = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const entry: Pending = { answers: [], expected: undefined, done: () => undefined };
    const finished = new Promise<void>((resolve) => {
      entry.done = resolve;
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    this.pending.set(requestId, entry);
    try {
      entry.expected = await send({ type: 'stats', requestId, replyTo: node });
      if (entry.expected !== undefined && entry.answers.length >= entry.expected) entry.done();
      await finished;
      return entry.answers;
    } finally {
      clearTimeout(timer);
      this.pending.delete(requestId);
    }
  }

  /** Records one node's answer (answers to requests no longer waiting are dropped). */
  answer(result: StatsResultControl): void {
    const entry = this.pending.get(result.requestId);
    if (!entry) return;
    entry.answers.push(result.stats);
    if (entry.expected !== undefined && entry.answers.length >= entry.expected) entry.done();
  }
}
