import type { ClusterNode, Redis, RedisOptions } from 'ioredis';

/**
 * How nestjs-channels reaches Redis (the `redis` option of `ChannelsModule.forRoot`, and the
 * Redis broker and history store).
 * @example ChannelsModule.forRoot({ stores: { redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'myapp' } } })
 */
export interface ChannelsRedisOptions {
  /**
   * The Redis URL (`redis://[:password@]host:port[/db]`, `rediss://` for TLS).
   * @default 'redis://127.0.0.1:6379' when neither `url` nor `client` is given
   */
  url?: string;
  /**
   * A client of your own, used for commands; the subscriber connection is its `duplicate()`.
   * The module never closes it.
   * @default a client made from `url`
   */
  client?: Redis;
  /**
   * The nodes of a Redis Cluster (some of them; the rest are discovered). Pushes then use
   * sharded pub/sub unless `sharded` is `false`. `url` and `client` are ignored.
   * @default undefined (a standalone Redis)
   * @example cluster: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7000 }]
   */
  cluster?: ClusterNode[];
  /** Extra `ioredis` options for the clients made from `url`. @default {} */
  clientOptions?: RedisOptions;
  /**
   * Prefix of every key and pub/sub channel, to share one Redis between apps.
   * @default 'channels'
   */
  keyPrefix?: string;
  /**
   * Sharded pub/sub (`SSUBSCRIBE`/`SPUBLISH`, Redis 7+): with Redis Cluster, a channel's
   * pushes then travel only within the shard that holds its stream.
   * @default false; `true` with `cluster`
   */
  sharded?: boolean;
}
