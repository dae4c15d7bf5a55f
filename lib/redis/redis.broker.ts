import { Broker } from '../brokers/broker.js';
import { decodeEnvelope, encodeEnvelope } from '../brokers/broker.envelope.js';
import type { ControlMessage, TraceCarrier } from '../brokers/broker.message.js';
import type { HistoryRead } from '../brokers/history.store.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import type { PushFrame, StreamPosition } from '../protocol/frames.js';
import { asUnavailable, unavailableOnDisconnect } from './redis.errors.js';
import type { RedisConnection } from './redis.connection.js';
import type { RedisHistoryStore } from './redis.history-store.js';
import { channelOfTopic, controlTopic, redisKeys } from './redis.keys.js';

/**
 * Many nodes through Redis (ioredis). A publish is one Lua script that assigns the offset,
 * appends to the channel's stream and PUBLISHes (SPUBLISH on a Cluster), so every node sees a
 * channel in offset order; history is read from the same stream. One subscriber connection
 * per node; a node subscribes to a channel's topic while it has local subscribers.
 *
 * Redis pub/sub delivers at most once: what a node misses while Redis is unreachable is
 * repaired by clients from history (they see a gap in offsets, or a new epoch). The
 * subscriber reconnects and resubscribes by itself; a publish that fails rejects its caller.
 * While Redis is away {@link isReady} is false, and a call that fails for want of a connection
 * rejects with the retryable `UNAVAILABLE` (`ChannelsException`): the module answers commands
 * that need Redis that way, and logs the outage in two lines (`RedisConnection.outages`).
 * Every failed publish, read, subscribe, unsubscribe and connection attempt is reported as a
 * `broker.error`; a push's round trip is from its script call to its arrival back here.
 *
 * @example
 * ChannelsModule.forRoot({ stores: { redis: { url: process.env.REDIS_URL } } }) // broker, history, presence, rate limits
 * @example
 * const redis = await RedisConnection.create({ url: process.env.REDIS_URL });
 * ChannelsModule.forRoot({ stores: { broker: new RedisBroker(redis, new RedisHistoryStore(redis)) } })
 */
export class RedisBroker extends Broker {
  override readonly distributed = true;
  /** How long {@link healthy}'s PING may take, in milliseconds. @default 500 */
  healthTimeoutMs = 500;
  /** Publishes that failed since start (each also rejected its caller). @default 0 */
  publishFailures = 0;
  private listening = false;

  constructor(
    readonly redis: RedisConnection,
    /** The channels' streams: the publish script appends to them, recovery reads them. */
    readonly store: RedisHistoryStore,
  ) {
    super();
    if (store.redis !== redis) {
      throw new Error(
        'RedisBroker: the history store must use the same RedisConnection, so that a publish ' +
          'sequences, stores and delivers in one script.',
      );
    }
  }

  override async start(): Promise<void> {
    // Before connecting: a first connection that fails is reported too.
    this.redis.reportErrorsTo((event) => this.report(event));
    this.store.attach((event) => this.report(event));
    await Promise.all([this.redis.start(), this.store.start()]);
    if (this.listening) return;
    this.listening = true;
    const { subscriber, keyPrefix } = this.redis;
    const control = controlTopic(keyPrefix);
    const onMessage = (topic: Buffer, message: Buffer): void => {
      const name = topic.toString();
      const channel = name === control ? undefined : channelOfTopic(keyPrefix, name);
      if (name !== control && channel === undefined) return;
      const envelope = decodeEnvelope(channel, message.toString());
      if (envelope) this.onMessage(envelope.message, envelope.node);
    };
    subscriber.on('messageBuffer', onMessage);
    subscriber.on('smessageBuffer', onMessage);
    await subscriber.subscribe(control);
  }

  override isReady(): boolean {
    return this.redis.isReady();
  }

  override async close(): Promise<void> {
    await this.store.close();
    await this.redis.close();
  }

  async publish(
    channel: string,
    event: string,
    data: unknown,
    except?: readonly string[],
    trace?: TraceCarrier,
  ): Promise<PushFrame> {
    try {
      return await this.reported(
        'publish',
        this.store.appendAndPublish(channel, event, data, {
          node: this.nodeId,
          topic: this.topic(channel),
          command: this.redis.sharded ? 'SPUBLISH' : 'PUBLISH',
          except,
          sentAt: performance.now(),
          trace,
        }),
      );
    } catch (error) {
      this.publishFailures++;
      throw asUnavailable(error);
    }
  }

  history(channel: string, since?: StreamPosition): Promise<HistoryRead> {
    return this.store.read(channel, since);
  }

  override async publishControl(message: ControlMessage): Promise<number | undefined> {
    const text = encodeEnvelope(this.nodeId, message);
    const client = this.redis.client;
    const received = await unavailableOnDisconnect(
      this.reported('control', client.publish(controlTopic(this.redis.keyPrefix), text)),
    );
    // A cluster's PUBLISH counts the receivers of one node only: no early answer there.
    return client.isCluster ? undefined : received;
  }

  override async subscribe(channel: string): Promise<void> {
    // Not queued while Redis is away: the command that asked is answered UNAVAILABLE now.
    if (!this.redis.isReady())
      throw ChannelsException.unavailable('Redis is unreachable for now: retry shortly.');
    const topic = this.topic(channel);
    const { subscriber, sharded } = this.redis;
    await this.reported(
      'subscribe',
      sharded ? subscriber.ssubscribe(topic) : subscriber.subscribe(topic),
    );
  }

  override async unsubscribe(channel: string): Promise<void> {
    const topic = this.topic(channel);
    const { subscriber, sharded } = this.redis;
    // A failure is reported by the module, which does not await it.
    await (sharded ? subscriber.sunsubscribe(topic) : subscriber.unsubscribe(topic));
  }

  /**
   * Whether Redis answers a PING within {@link healthTimeoutMs} and the subscriber connection
   * is up (without it this node would miss every push).
   */
  override async healthy(): Promise<boolean> {
    if (this.redis.subscriber.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.healthTimeoutMs).unref();
    });
    try {
      return (await Promise.race([this.redis.client.ping(), late])) === 'PONG';
    } finally {
      clearTimeout(timer);
    }
  }

  private topic(channel: string): string {
    return redisKeys(this.redis.keyPrefix, channel).topic;
  }
}
