import { Injectable } from '@nestjs/common';
import { Broker } from '../brokers/broker.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { isUnavailable } from '../protocol/unavailable.js';

/**
 * Where the calls that a command needs the broker for go through (a publish, the history of a
 * subscribe, a forwarded command), and where the broker's absence gets its name: while
 * `broker.isReady()` is false the call is not made, and a call that failed because the broker
 * went away meanwhile (it is no longer ready) is answered the same way, with the retryable
 * `UNAVAILABLE` (503, `retryAfterMs`) rather than the backend's own error. A broker that is
 * briefly unreachable is an expected state: the client retries, and nothing is logged per
 * command (the broker logs its outage once). A call refused unmade is still counted, as a
 * `broker.error` of its operation. Works for any `Broker`.
 *
 * @example const push = await gate.run('publish', () => broker.publish(channel, event, data));
 */
@Injectable()
export class BrokerGate {
  constructor(
    private readonly broker: Broker,
    private readonly events: ChannelsEvents,
  ) {}

  /**
   * Runs `work` when the broker is ready.
   * @param operation what the call is, for the `broker.error` of a refusal (`publish`, `history`, `control`)
   * @throws ChannelsException `UNAVAILABLE` while the broker is away; the call's own error otherwise
   */
  async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (!this.broker.isReady()) {
      const error = brokerUnavailable();
      // The broker reports the calls it made; one refused before it is counted here.
      this.events.emit({ type: 'broker.error', operation, error });
      throw error;
    }
    try {
      return await work();
    } catch (error) {
      if (isUnavailable(error) || this.broker.isReady()) throw error;
      throw brokerUnavailable();
    }
  }
}

function brokerUnavailable(): ChannelsException {
  return ChannelsException.unavailable('The message broker is unreachable for now: retry shortly.');
}
