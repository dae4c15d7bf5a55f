import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { PresenceLedger } from '../presence/presence.ledger.js';
import type { RedisPresenceStoreOptions } from './redis-presence.options.js';
import { isRedisConnectionError, unavailableOnDisconnect } from './redis.errors.js';
import { RedisOutageLog } from './redis.outage-log.js';
import { PresenceStore } from '../presence/presence.store.js';
import type { PresenceMember } from '../protocol/presence.types.js';
import { RedisPresenceBatch, type PresenceBatchEntry } from './redis-presence.batch.js';
import { parseInfo, readPresenceMessage } from './redis-presence.message.js';
import { APPLY_SCRIPT, MEMBERS_SCRIPT, REMOVE_NODE_SCRIPT } from './redis-presence.scripts.js';

/** How long a shutdown waits for Redis to remove this node's members. */
const CLOSE_BOUND_MS = 2_000;

type Script = (...keysThenArgs: Array<string | number>) => Promise<unknown>;

/**
 * Presence in Redis, shared by every node (see {@link PresenceStore} for the semantics).
 * Connections are counted per node and per key in hashes hash-tagged by channel, so every
 * operation is one Lua script on one slot and `members` reads one channel's two hashes. A
 * node's joins and leaves are gathered per channel for `batchMs` and written by one script,
 * which publishes that window's changes as one message on the Redis channel every node's
 * store subscribes to: a thousand joins in a second are about twenty messages, not a
 * thousand. Each node renews a lease (a score in `<prefix>:nodes`); a node that finds
 * another's lease expired claims it (`ZREM` answers 1 to one node only) and removes its
 * connections, channel by channel (`<prefix>:node:<id>:channels`), which reports their leaves.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL);
 * ChannelsModule.forRoot({ presence: { store: new RedisPresenceStore({ client: redis }) } })
 */
export class RedisPresenceStore extends PresenceStore {
  /** This node's id in Redis; a new one after the node's entries were taken for dead. */
  nodeId: string;
  private readonly logger = new Logger('Channels');
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly changeChannel: string;
  private readonly ready: Promise<unknown>;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly flushes = new Map<string, () => void>();
  private readonly ledger = new PresenceLedger();
  private readonly batch: RedisPresenceBatch;
  private leased = false;
  /** Whether the command connection was lost since the last heartbeat went through. */
  private cutOff = false;
  private readonly unwatch: Array<() => void>;

  constructor(options: RedisPresenceStoreOptions) {
    super();
    this.nodeId = options.nodeId ?? randomUUID();
    this.prefix = options.keyPrefix ?? 'channels:presence';
    this.ttlMs = options.ttlMs ?? 30_000;
    this.changeChannel = `${this.prefix}:changes`;
    this.commands = options.client.duplicate();
    this.subscriber = options.client.duplicate();
    // An outage is logged in two lines (lost, back), in the node's log when it is shared.
    const outages = options.outageLog ?? new RedisOutageLog();
    this.unwatch = [
      outages.watch('presence commands', this.commands),
      outages.watch('presence subscriber', this.subscriber),
    ];
    this.commands.on('close', () => (this.cutOff = true));
    this.batch = new RedisPresenceBatch(options.batchMs ?? 50, (entry) =>
      unavailableOnDisconnect(this.write(entry)),
    );
    for (const [name, lua, keys] of [
      ['presenceApply', APPLY_SCRIPT, 3],
      ['presenceRemoveNode', REMOVE_NODE_SCRIPT, 3],
      ['presenceMembers', MEMBERS_SCRIPT, 2],
    ] as const)
      this.commands.defineCommand(name, { lua, numberOfKeys: keys });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.changeChannel) this.onMessage(message);
    });
    // Changes are received from the moment the subscription is up; the lease starts with it.
    this.ready = Promise.all([this.subscriber.subscribe(this.changeChannel), this.beat()]);
    this.timer = setInterval(() => void this.beat(), Math.max(1, this.ttlMs / 6));
    this.timer.unref();
  }

  // After close (a shutdown in progress) this node holds nothing any more: joins and leaves of
  // its connections closing late are no-ops. Each settles once its window is written.
  async join(channel: string, key: string, info: unknown): Promise<void> {
    if (this.closed) return;
    this.ledger.add(channel, key, info);
    await this.batch.add(channel, key, 1, info);
  }

  async leave(channel: string, key: string): Promise<void> {
    if (this.closed || !this.ledger.remove(channel, key)) return;
    await this.batch.add(channel, key, -1, undefined);
  }

  // One channel's netted changes, one script; the channel is listed as this node's first, so
  // a removal of this node finds it. Both are sent at once, in the order they were made.
  private async write({ channel, deltas }: PresenceBatchEntry): Promise<void> {
    await this.ready;
    const args: Array<string | number> = [];
    for (const [key, { delta, info }] of deltas)
      args.push(key, delta, delta > 0 ? JSON.stringify(info ?? null) : 'null');
    const listed = this.commands.sadd(this.nodeChannels(this.nodeId), channel);
    await this.script('presenceApply')(
      ...this.channelKeys(channel, this.nodeId),
      this.changeChannel,
      channel,
      ...args,
    );
    await listed;
  }

  /** Whether its command connection is up (while it is not, `members` is not asked). */
  override isReady(): boolean {
    return this.commands.status === 'ready';
  }

  async members(channel: string): Promise<PresenceMember[]> {
    await this.ready;
    // This node's changes still in their window are written first: a read sees them.
    await this.batch.flush(channel);
    const [keys, infos] = (await unavailableOnDisconnect(
      this.script('presenceMembers')(
        `${this.channelPrefix(channel)}:keys`,
        `${this.channelPrefix(channel)}:info`,
      ),
    )) as [string[], string[]];
    const info = new Map<string, string>();
    for (let i = 0; i < infos.length; i += 2) info.set(infos[i]!, infos[i + 1]!);
    const members: PresenceMember[] = [];
    for (let i = 0; i < keys.length; i += 2) {
      const key = keys[i]!;
      members.push({ key, connections: Number(keys[i + 1]), info: parseInfo(info.get(key)) });
    }
    return members;
  }

  /** Removes this node's connections (their leaves are reported), then disconnects. */
  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.ledger.clear();
    // Changes not yet written: the removal below takes what was written; the rest never was.
    this.batch.discard();
    // With Redis unreachable the removal would wait for its reconnects (ioredis retries each
    // command up to maxRetriesPerRequest times) and hold the shutdown: the other nodes see
    // this node's members expire with their lease instead.
    const expire = `they expire within ${this.ttlMs} ms`;
    if (this.commands.status !== 'ready') {
      this.logger.warn(
        `Presence: Redis is unreachable at shutdown; this node's members stay until ${expire}.`,
      );
    } else {
      let bound: NodeJS.Timeout | undefined;
      const removed = (async () => {
        await this.ready;
        await this.removeNode(this.nodeId);
        await this.flush();
      })();
      const timedOut = new Promise<'timeout'>((resolve) => {
        bound = setTimeout(() => resolve('timeout'), CLOSE_BOUND_MS).unref();
      });
      try {
        if ((await Promise.race([removed, timedOut])) === 'timeout')
          this.logger.warn(
            `Presence: removing this node's members took over ${CLOSE_BOUND_MS} ms; ${expire}.`,
          );
      } catch (error) {
        this.logger.warn(
          `Presence: removing this node's members failed (${String(error)}); ${expire}.`,
        );
      } finally {
        clearTimeout(bound);
      }
      removed.catch(() => undefined);
    }
    for (const unwatch of this.unwatch) unwatch();
    this.subscriber.disconnect();
    this.commands.disconnect();
  }

  // Waits until this node's subscription has received every change published before now: a
  // marker published after them arrives after them (bounded, should Redis be gone).
  private async flush(): Promise<void> {
    const marker = randomUUID();
    const received = new Promise<void>((resolve) => {
      this.flushes.set(marker, resolve);
      setTimeout(resolve, 1_000).unref();
    });
    await this.commands.publish(this.changeChannel, JSON.stringify(['', 'flush', marker, '']));
    await received;
    this.flushes.delete(marker);
  }

  // Renews this node's lease, then removes the members of the nodes whose lease expired.
  private async beat(): Promise<void> {
    if (this.closed) return;
    const nodes = `${this.prefix}:nodes`;
    const now = Date.now();
    try {
      const lease = now + Math.round((this.ttlMs * 2) / 3);
      const added = await this.commands.zadd(nodes, lease, this.nodeId);
      // Our lease had gone: another node took us for dead (we were cut off longer than the
      // TTL) and removes what we held. Put it back under a new id, which that removal
      // cannot touch.
      if (Number(added) === 1 && this.leased) await this.rejoin(nodes, lease);
      this.leased = true;
      this.cutOff = false;
      const expired = await this.commands.zrangebyscore(nodes, '-inf', now);
      for (const node of expired) {
        if (node === this.nodeId) continue;
        // Only the node whose ZREM removed it cleans up after it.
        if ((await this.commands.zrem(nodes, node)) === 1) await this.removeNode(node);
      }
    } catch (error) {
      // Redis is away: the outage is logged once, not once per heartbeat.
      if (!isRedisConnectionError(error))
        this.logger.warn(`Presence heartbeat failed: ${String(error)}`);
    }
  }

  private async rejoin(nodes: string, lease: number): Promise<void> {
    const old = this.nodeId;
    // What we hold, as of the switch: later joins and leaves go to the new id themselves.
    const held = [...this.ledger.entries()];
    this.nodeId = randomUUID();
    // After an outage (Redis restarted empty, or this node was cut off past the TTL) the lost
    // lease is part of the outage the log already tells of: the rejoin is said only otherwise.
    if (!this.cutOff)
      this.logger.warn(`Presence: node ${old} was taken for dead; rejoining as ${this.nodeId}.`);
    await this.commands.zrem(nodes, old);
    await this.commands.zadd(nodes, lease, this.nodeId);
    for (const { channel, key, connections, info } of held)
      await this.write({ channel, deltas: new Map([[key, { delta: connections, info }]]) });
  }

  private async removeNode(node: string): Promise<void> {
    const list = this.nodeChannels(node);
    for (const channel of await this.commands.smembers(list)) {
      await this.script('presenceRemoveNode')(
        ...this.channelKeys(channel, node),
        this.changeChannel,
        channel,
      );
    }
    await this.commands.del(list);
    if (node === this.nodeId) await this.commands.zrem(`${this.prefix}:nodes`, node);
  }

  private onMessage(message: string): void {
    const read = readPresenceMessage(message);
    if (read && 'flush' in read) this.flushes.get(read.flush)?.();
    else for (const change of read?.changes ?? []) this.emitChange(change);
  }

  private script(name: string): Script {
    const command = (this.commands as unknown as Record<string, Script>)[name]!;
    return command.bind(this.commands) as Script;
  }

  private channelPrefix(channel: string): string {
    return `${this.prefix}:{${channel}}`;
  }

  private channelKeys(channel: string, node: string): [string, string, string] {
    const base = this.channelPrefix(channel);
    return [`${base}:node:${node}`, `${base}:keys`, `${base}:info`];
  }

  private nodeChannels(node: string): string {
    return `${this.prefix}:node:${node}:channels`;
  }
}
