import type { Cluster, Redis } from 'ioredis';

type Args = Array<string | number>;
interface Queued {
  args: Args;
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
 * own error (no connection: the same "Stream isn't writeable" as a plain call).
 *
 * @example
 * const scripts = new RedisTurnPipeline(redis.client);
 * const [offset, epoch] = await scripts.eval(APPEND_SCRIPT, 2, stream, meta, body);
 */
export class RedisTurnPipeline {
  private queue: Queued[] = [];

  constructor(private readonly client: Redis | Cluster) {}

  /** Runs `script` (EVAL) with this turn's other scripts. @returns what the script returned */
  eval(script: string, keyCount: number, ...args: Args): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ args: [script, keyCount, ...args], resolve, reject }) === 1)
        setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (!this.client.isCluster) return this.send(batch);
    // The first key (args[2]) names the channel, and with it the slot.
    const bySlot = new Map<string | number, Queued[]>();
    for (const call of batch) {
      const group = bySlot.get(call.args[2]!);
      if (group) group.push(call);
      else bySlot.set(call.args[2]!, [call]);
    }
    for (const group of bySlot.values()) this.send(group);
  }

  private send(batch: Queued[]): void {
    if (batch.length === 1) {
      const [only] = batch as [Queued];
      const [script, keyCount, ...args] = only.args as [string, number, ...Args];
      this.client.eval(script, keyCount, ...args).then(only.resolve, only.reject);
      return;
    }
    const pipeline = this.client.pipeline();
    for (const { args } of batch) {
      const [script, keyCount, ...rest] = args as [string, number, ...Args];
      pipeline.eval(script, keyCount, ...rest);
    }
    pipeline.exec().then(
      (results) =>
        batch.forEach((call, i) => {
          const [error, value] = results?.[i] ?? [new Error('Redis answered no result.'), null];
          if (error) call.reject(error);
          else call.resolve(value);
        }),
      (error: unknown) => {
        for (const call of batch) call.reject(error);
      },
    );
  }
}
