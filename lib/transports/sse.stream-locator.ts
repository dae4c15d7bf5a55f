import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Broker } from '../brokers/broker.js';
import type { StreamLookupControl, StreamLookupResultControl } from '../brokers/broker.message.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import { BrokerGate } from '../hub/broker.gate.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { SseConnection } from './sse.connection.js';

/**
 * How long a node waits for the node of an SSE stream to say it holds it, in milliseconds. The
 * lookup ends earlier when that node says yes, or when every other node has said no (when the
 * broker can count the nodes): an id held elsewhere and one held nowhere are answered on the
 * same path, within this bound.
 * @default 100
 * @example if (!(await locator.locate(id, key))) throw noStream();
 */
export const STREAM_LOOKUP_TIMEOUT_MS = 100;

interface Lookup {
  found: boolean;
  noes: number;
  /** How many nodes answer; `undefined` until the publish says, or when the broker cannot tell. */
  expected: number | undefined;
  done: (holds: boolean | undefined) => void;
}

/**
 * Finds which node holds an SSE stream before a `POST` bound to it is forwarded there: one
 * `stream-lookup` control message, without the body, that every node answers (the holder yes,
 * the others no). Bodies are read only once a holder is known.
 */
@Injectable()
export class SseStreamLocator {
  private readonly lookups = new Map<string, Lookup>();

  constructor(
    private readonly broker: Broker,
    private readonly gate: BrokerGate,
    private readonly connections: ConnectionRegistry,
  ) {}

  /** Whether this node holds stream `connectionId` open for the principal of `principalKey`. */
  holds(connectionId: string, principalKey: string | undefined): boolean {
    const connection = this.connections.get(connectionId);
    return (
      connection instanceof SseConnection &&
      connection.accepting &&
      this.connections.keyOf(connection.principal) === principalKey
    );
  }

  /**
   * Asks the other nodes whether one of them holds the stream.
   * @returns true once a node said yes; false when every node said no (or, with a broker that
   *   cannot count the nodes, none said yes within {@link STREAM_LOOKUP_TIMEOUT_MS})
   * @throws ChannelsException `UNAVAILABLE` while the broker cannot be reached, and when some
   *   node had not answered by the deadline: whether the stream exists is then not known (the
   *   same answer whether it does or not), and the client may retry
   */
  async locate(connectionId: string, principalKey: string | undefined): Promise<boolean> {
    const requestId = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const lookup: Lookup = { found: false, noes: 0, expected: undefined, done: () => undefined };
    const answered = new Promise<boolean | undefined>((resolve) => {
      lookup.done = resolve;
      timer = setTimeout(
        () => resolve(lookup.expected === undefined ? lookup.found : undefined),
        STREAM_LOOKUP_TIMEOUT_MS,
      );
    });
    this.lookups.set(requestId, lookup);
    try {
      const message: StreamLookupControl = {
        type: 'stream-lookup',
        requestId,
        replyTo: this.broker.nodeId,
        connectionId,
        principalKey,
      };
      const received = await this.gate.run('control', () => this.broker.publishControl(message));
      // The broker counts this node among the receivers; it does not answer itself. A broker
      // that cannot count (a Redis Cluster, a bus) is waited for until the deadline, found or
      // not, so that the time taken tells nothing there either.
      if (typeof received === 'number') lookup.expected = Math.max(0, received - 1);
      this.check(lookup);
      const holds = await answered;
      if (holds === undefined)
        throw ChannelsException.unavailable('The nodes did not answer in time: retry shortly.');
      return holds;
    } finally {
      clearTimeout(timer);
      this.lookups.delete(requestId);
    }
  }

  /** Answers another node's lookup (every node answers, so the asker need not wait). */
  async answer(message: StreamLookupControl): Promise<void> {
    const result: StreamLookupResultControl = {
      type: 'stream-lookup-result',
      requestId: message.requestId,
      to: message.replyTo,
      holds: this.holds(message.connectionId, message.principalKey),
    };
    await this.broker.publishControl(result);
  }

  /** One node's answer arrived (answers to lookups no longer waiting are dropped). */
  settle(message: StreamLookupResultControl): void {
    if (message.to !== this.broker.nodeId) return;
    const lookup = this.lookups.get(message.requestId);
    if (!lookup) return;
    if (message.holds) lookup.found = true;
    else lookup.noes++;
    this.check(lookup);
  }

  private check(lookup: Lookup): void {
    if (lookup.expected === undefined) return;
    if (lookup.found) lookup.done(true);
    else if (lookup.noes >= lookup.expected) lookup.done(false);
  }
}
