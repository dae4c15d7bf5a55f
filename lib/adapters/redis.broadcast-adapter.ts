import type { HistoryStore } from '../history/history.store.js';
import { RedisHistoryStore } from '../history/redis.history-store.js';
import type { PushFrame } from '../protocol/frames.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { channelOfTopic, controlTopic, redisKeys } from '../redis/redis.keys.js';
import { ClusterBroadcastAdapter } from './cluster.broadcast-adapter.js';

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
 * @example
 * ChannelsModule.forRoot({ redis: { url: process.env.REDIS_URL } }) // adapter, history and rate limits
 * @example
 * const redis = await RedisConnection.create({ url: process.env.REDIS_URL });
 * ChannelsModule.forRoot({ adapter: new RedisBroadcastAdapter(redis), historyStore: new RedisHistoryStore(redis) })
 */
export class RedisBroadcastAdapter extends ClusterBroadcastAdapter {
  private listening = false;

  constructor(readonly redis: RedisConnection) {
    super();
  }

  override async start(): Promise<void> {
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
      }),
    );
  }

  protected async send(channel: string, message: string): Promise<void> {
    const topic = this.topic(channel);
    if (this.redis.sharded) await this.redis.client.spublish(topic, message);
    else await this.redis.client.publish(topic, message);
  }

  protected async sendControl(message: string): Promise<void> {
    await this.redis.client.publish(controlTopic(this.redis.keyPrefix), message);
  }

  protected override async onChannelActive(channel: string): Promise<void> {
    const topic = this.topic(channel);
    if (this.redis.sharded) await this.redis.subscriber.ssubscribe(topic);
    else await this.redis.subscriber.subscribe(topic);
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
