import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BrokerErrorEvent } from '../connection/channels-event.types.js';
import type { PushFrame, StreamPosition } from '../protocol/frames.js';
import { APPEND_SCRIPT, READ_SCRIPT } from './history.scripts.js';
import { decodePushBody, encodePushBody } from '../brokers/broker.envelope.js';
import type { TraceCarrier } from '../brokers/broker.message.js';
import type { RedisConnection } from './redis.connection.js';
import { asUnavailable } from './redis.errors.js';
import { redisKeys } from './redis.keys.js';
import { RedisScript } from './redis.script.js';
import { RedisTurnPipeline } from './redis.turn-pipeline.js';
import { HistoryStore, type HistoryRead } from '../brokers/history.store.js';

/**
 * Options of {@link RedisHistoryStore}.
 * @example new RedisHistoryStore(redis, { size: 500, ttlMs: 60_000 })
 */
export interface RedisHistoryOptions {
  /** Pushes kept per channel (approximately: `XADD MAXLEN ~`, so a few more may stay). @default 100 */
  size?: number;
  /** How long a channel's history lives after its latest push, in milliseconds. @default 300000 */
  ttlMs?: number;
}

/** What the append script publishes a push with. */
export interface AppendBroadcast {
  /** The publishing node's id. */
  node: string;
  /** The pub/sub channel; undefined: only stored. */
  topic?: string;
  /** PUBLISH or SPUBLISH. */
  command: 'PUBLISH' | 'SPUBLISH';
  except?: readonly string[];
  /** When the node publishes it (`performance.now()`), for its round-trip metric. */
  sentAt?: number;
  /** The publisher's trace context (tracing on). */
  trace?: TraceCarrier;
}

type AppendResult = [number, string];
type ReadResult = [string, number, Array<[string, string[]]>];
// Run by their SHA1 (EVALSHA): a publish sends 40 bytes, not the script's text.
const APPEND = new RedisScript(APPEND_SCRIPT, 2);
const READ = new RedisScript(READ_SCRIPT, 2);

/**
 * History in Redis Streams, shared by every node: offsets and epochs are the same whichever
 * node a client asks. A channel's offset counter and epoch live in a hash beside its stream;
 * when they are lost (expired, or a Redis restart without persistence) the channel gets a new
 * epoch, so a client holding an old position is told `recovered: false`, never replayed the
 * wrong pushes.
 *
 * @example
 * const redis = await RedisConnection.create({ url: process.env.REDIS_URL });
 * ChannelsModule.forRoot({ stores: { broker: new RedisBroker(redis, new RedisHistoryStore(redis)) } })
 */
export class RedisHistoryStore extends HistoryStore {
  private readonly size: number;
  private readonly ttlSeconds: number;
  private report?: (event: BrokerErrorEvent) => void;
  // A turn's appends leave in one write, so that their messages reach every node together.
  private readonly appends: RedisTurnPipeline;

  constructor(
    /** The Redis clients; the `RedisBroker` on the same connection publishes with the append. */
    readonly redis: RedisConnection,
    options: RedisHistoryOptions = {},
  ) {
    super();
    this.size = options.size ?? 100;
    this.ttlSeconds = Math.max(1, Math.ceil((options.ttlMs ?? 300_000) / 1000));
    this.appends = new RedisTurnPipeline(redis.client);
  }

  override async start(): Promise<void> {
    await this.redis.start();
    // Loaded ahead of the first publish, on the same connection (so before it); a Cluster's
    // nodes load each script on its first use there. Not awaited: a server away at start
    // delays nothing, and a publish that finds a script missing loads it.
    const client = this.redis.client;
    if (!client.isCluster)
      for (const script of [APPEND, READ]) script.load(client as Redis).catch(() => undefined);
  }

  override isReady(): boolean {
    return this.redis.isReady();
  }

  /**
   * @internal Failed reads and appends are reported as `broker.error` (`operation`: `history`), and so
   * are the connection's errors unless the broker already reports them (the same connection).
   */
  override attach(report: (event: BrokerErrorEvent) => void): void {
    this.report = report;
    this.redis.reportErrorsTo(report);
  }

  override async close(): Promise<void> {
    await this.redis.close();
  }

  async append(channel: string, event: string, data: unknown): Promise<PushFrame> {
    return this.reported(this.appendAndPublish(channel, event, data));
  }

  /**
   * Appends a push and, with `broadcast`, publishes it in the same atomic step.
   * @returns the push with its offset and epoch
   */
  async appendAndPublish(
    channel: string,
    event: string,
    data: unknown,
    broadcast?: AppendBroadcast,
  ): Promise<PushFrame> {
    const keys = redisKeys(this.redis.keyPrefix, channel);
    const body = encodePushBody(
      broadcast?.node ?? '',
      event,
      data,
      broadcast?.except,
      broadcast?.sentAt,
      broadcast?.trace,
    );
    const [offset, epoch] = (await this.appends.run(APPEND, [
      keys.stream,
      keys.meta,
      body,
      String(this.size),
      String(this.ttlSeconds),
      newEpoch(),
      broadcast?.topic ?? '',
      broadcast?.command ?? 'PUBLISH',
    ])) as AppendResult;
    return { channel, event, data, offset: Number(offset), epoch };
  }

  async read(channel: string, since?: StreamPosition): Promise<HistoryRead> {
    return this.reported(this.readNow(channel, since));
  }

  // An append the broker publishes with is reported by the broker, as a publish. A connection
  // error is the retryable UNAVAILABLE for whoever asked.
  private async reported<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.report?.({ type: 'broker.error', operation: 'history', error });
      throw asUnavailable(error);
    }
  }

  private async readNow(channel: string, since?: StreamPosition): Promise<HistoryRead> {
    const keys = redisKeys(this.redis.keyPrefix, channel);
    const [epoch, rawOffset, entries] = (await READ.run(this.redis.client, [
      keys.stream,
      keys.meta,
      newEpoch(),
      String(this.ttlSeconds),
      since && since.epoch !== undefined ? String(since.offset) : '',
    ])) as ReadResult;
    const offset = Number(rawOffset);
    const position = { epoch, offset };
    if (!since) return { position };
    if (since.epoch !== epoch || since.offset > offset || since.offset < 0)
      return { position, missed: undefined };
    return { position, missed: toPushes(channel, epoch, since.offset, offset, entries) };
  }
}

// Every push after `after` up to `latest`, or undefined when one of them is gone.
function toPushes(
  channel: string,
  epoch: string,
  after: number,
  latest: number,
  entries: Array<[string, string[]]>,
): PushFrame[] | undefined {
  const pushes: PushFrame[] = [];
  let expected = after + 1;
  for (const [id, fields] of entries) {
    const offset = Number(id.slice(0, id.indexOf('-')));
    const body = decodePushBody(fields[fields.indexOf('p') + 1] ?? '');
    if (offset !== expected || !body) return undefined;
    pushes.push({ channel, event: body.e, data: body.d, offset, epoch });
    expected++;
  }
  return expected === latest + 1 ? pushes : undefined;
}

function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}
