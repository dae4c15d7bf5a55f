import type { Cluster, Redis } from 'ioredis';
import { isNoScript, type RedisScript, type ScriptArgs } from './redis.script.js';

interface Queued {
  script: RedisScript;
  args: ScriptArgs;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The scripts one node runs in one event-loop turn, sent to Redis in one write (a pipeline),
 * each still answered on its own. Publishes triggered by several requests of one turn then
 * reach Redis together, Redis runs them in one pass and sends their messages to every
 * subscribing node together, and each node delivers them in one turn: one socket write per
 * subscriber for all of them, as a single node does. A script waits at most until the end of
 * the turn it was called in (`setImmediate`), the moment the turn's socket writes leave too.
 *
 * The order of the calls is kept (one pipeline, in call order, on the one command
 * connection). Only the appends wait for the end of the turn: a history read made later in
 * the same turn may be answered first (it sees the position before them, and the pushes then
 * arrive live, as for any publish that lands after a read). On a Cluster a pipeline must stay
 * in one slot: there the scripts with the same first key (one channel's) share a pipeline, in
 * call order, and the others go on their own. A call that fails rejects alone, with ioredis's
 * own error (no connection: the same "Stream isn't writeable" as a plain call). Scripts go by
 * their SHA1 (`EVALSHA`); when Redis answers `NOSCRIPT` (it lost its scripts), the calls so
 * answered, which did not run, go again in one pipeline with their text (`EVAL`), in order.
 *
 * @example
 * const scripts = new RedisTurnPipeline(redis.client);
 * const [offset, epoch] = await scripts.run(new RedisScript(APPEND_SCRIPT, 2), [stream, meta, body]);
 */
export class RedisTurnPipeline {
  private queue: Queued[] = [];

  constructor(private readonly client: Redis | Cluster) {}

  /** Runs `script` with this turn's other scripts. @returns what the script returned */
  run(script: RedisScript, args: ScriptArgs): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ script, args, resolve, reject }) === 1)
        setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (!this.client.isCluster) return this.send(batch);
    // The first key (args[0]) names the channel, and with it the slot.
    const bySlot = new Map<string | number, Queued[]>();
    for (const call of batch) {
      const group = bySlot.get(call.args[0]!);
      if (group) group.push(call);
      else bySlot.set(call.args[0]!, [call]);
    }
    for (const group of bySlot.values()) this.send(group);
  }

  private send(batch: Queued[], loading = false): void {
    if (batch.length === 1 && !loading) {
      const [only] = batch as [Queued];
      only.script.run(this.client, only.args).then(only.resolve, only.reject);
      return;
    }
    const pipeline = this.client.pipeline();
    for (const { script, args } of batch)
      if (loading) script.queueLoading(pipeline, args);
      else script.queue(pipeline, args);
    pipeline.exec().then(
      (results) => {
        const again: Queued[] = [];
        batch.forEach((call, i) => {
          const [error, value] = results?.[i] ?? [new Error('Redis answered no result.'), null];
          if (error && !loading && isNoScript(error)) again.push(call);
          else if (error) call.reject(error);
          else call.resolve(value);
        });
        if (again.length > 0) this.send(again, true);
      },
      (error: unknown) => {
        for (const call of batch) call.reject(error);
      },
    );
  }
}
