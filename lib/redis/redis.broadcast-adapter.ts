import type { HistoryStore } from '../brokers/history.store.js';
import { RedisHistoryStore } from './redis.history-store.js';
import type { PushFrame } from '../protocol/frames.js';
import { RedisConnection } from './redis.connection.js';
import { channelOfTopic, controlTopic, redisKeys } from './redis.keys.js';
import { ClusterBroadcastAdapter } from '../brokers/cluster.broadcast-adapter.js';

/**
 * Many nodes through Redis pub/sub (ioredis). One subscriber connection per node; a node
 * subscribes to a channel when it gets its first local subscriber and unsubscribes after its
 * last. With a {@link RedisHistoryStore} on the same connection, a push's offset is assigned,
 * stored and published in one Lua script, so every node sees a channel in offset order.
 *
 * Redis pub/sub delivers at most once: what a node misses while Redis is unreachable is
 * repaired by clients from history (they see a gap in offsets, or a new epoch). The
 * subscriber reconnects and resubscribes by itself; a publish that fails rejects its caller.
 *
 * For health checks and metrics: `healthy()` PINGs Redis; every failed publish, subscribe,
 * unsubscribe and connection attempt is reported as a `broker.error` (`operation`: `publish`,
 * `control`, `subscribe`, `unsubscribe`, `connection`); a push's round trip is from its
 * PUBLISH (or append script) to its arrival back on this node's subscriber connection.
 *
 * @example
 * ChannelsModule.forRoot({ redis: { url: process.env.REDIS_URL } }) // adapter, history and rate limits
 * @example
 * const redis = await RedisConnection.create({ url: process.env.REDIS_URL });
 * ChannelsModule.forRoot({ adapter: new RedisBroadcastAdapter(redis), historyStore: new RedisHistoryStore(redis) })
 */
export class RedisBroadcastAdapter extends ClusterBroadcastAdapter {
  /** How long {@link healthy}'s PING may take, in milliseconds. @default 500 */
  healthTimeoutMs = 500;
  private listening = false;

  constructor(readonly redis: RedisConnection) {
    super();
  }

  override async start(): Promise<void> {
    // Before connecting: a first connection that fails is reported too.
    this.redis.reportErrorsTo((event) => this.report(event));
    await this.redis.start();
    if (this.listening) return;
    this.listening = true;
    const { subscriber, keyPrefix } = this.redis;
    const control = controlTopic(keyPrefix);
    const onMessage = (topic: Buffer, message: Buffer): void => {
      const name = topic.toString();
      if (name === control) return this.receiveControlMessage(message.toString());
      const channel = channelOfTopic(keyPrefix, name);
      if (channel !== undefined) this.receive(channel, message.toString());
    };
    subscriber.on('messageBuffer', onMessage);
    subscriber.on('smessageBuffer', onMessage);
    await subscriber.subscribe(control);
  }

  override isReady(): boolean {
    return this.redis.isReady();
  }

  override async close(): Promise<void> {
    await this.redis.close();
  }

  override async publishNew(
    history: HistoryStore,
    channel: string,
    event: string,
    data: unknown,
    except?: readonly string[],
  ): Promise<PushFrame> {
    if (!(history instanceof RedisHistoryStore) || history.redis !== this.redis)
      return super.publishNew(history, channel, event, data, except);
    return this.counted(
      history.appendAndPublish(channel, event, data, {
        node: this.nodeId,
        topic: this.topic(channel),
        command: this.redis.sharded ? 'SPUBLISH' : 'PUBLISH',
        except,
        sentAt: performance.now(),
      }),
    );
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

  protected async send(channel: string, message: string): Promise<number> {
    const topic = this.topic(channel);
    if (this.redis.sharded) return Number(await this.redis.client.spublish(topic, message));
    return this.redis.client.publish(topic, message);
  }

  protected async sendControl(message: string): Promise<number | void> {
    const received = await this.redis.client.publish(controlTopic(this.redis.keyPrefix), message);
    // A cluster's PUBLISH counts the receivers of one node only: no early answer there.
    return this.redis.client.isCluster ? undefined : received;
  }

  protected override async onChannelActive(channel: string): Promise<void> {
    const topic = this.topic(channel);
    const subscribe = this.redis.sharded
      ? this.redis.subscriber.ssubscribe(topic)
      : this.redis.subscriber.subscribe(topic);
    await this.reported('subscribe', subscribe);
  }

  protected override async onChannelIdle(channel: string): Promise<void> {
    const topic = this.topic(channel);
    if (this.redis.sharded) await this.redis.subscriber.sunsubscribe(topic);
    else await this.redis.subscriber.unsubscribe(topic);
  }

  private topic(channel: string): string {
    return redisKeys(this.redis.keyPrefix, channel).topic;
  }
}
