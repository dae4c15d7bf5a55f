import { createHash } from 'node:crypto';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/** A script's arguments: its keys first, then its other arguments. */
export type ScriptArgs = Array<string | number>;

/**
 * A Lua script that Redis runs by its SHA1 (`EVALSHA`), so that a call sends the digest (40
 * bytes) and not the script's text, and Redis neither receives nor hashes the text again. The
 * first call that finds Redis without the script (`NOSCRIPT`: a restarted or flushed server, a
 * Cluster node not yet used) runs it with `EVAL`, which loads it; a `NOSCRIPT` call did not
 * run, so running it again is safe.
 *
 * @example
 * const append = new RedisScript(APPEND_SCRIPT, 2);
 * const [offset, epoch] = await append.run(client, [stream, meta, body]);
 */
export class RedisScript {
  /** The script's SHA1, as `SCRIPT LOAD` would answer. */
  readonly sha: string;

  constructor(
    /** The Lua source. */
    readonly lua: string,
    /** How many of the arguments are keys. */
    readonly keyCount: number,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /**
   * Loads the script into Redis (`SCRIPT LOAD`), so that the first call goes by its SHA1 too.
   * Not needed for correctness: a call that finds it missing loads it.
   */
  load(client: Redis): Promise<unknown> {
    return client.script('LOAD', this.lua);
  }

  /** Runs the script on `client`. @returns what the script returned */
  run(client: Redis | Cluster, args: ScriptArgs): Promise<unknown> {
    return client
      .evalsha(this.sha, this.keyCount, ...args)
      .catch((error: unknown) =>
        isNoScript(error) ? client.eval(this.lua, this.keyCount, ...args) : Promise.reject(error),
      );
  }

  /** Queues the script by its SHA1 on `pipeline` (a `NOSCRIPT` answer is the caller's to redo). */
  queue(pipeline: ChainableCommander, args: ScriptArgs): void {
    pipeline.evalsha(this.sha, this.keyCount, ...args);
  }

  /** Queues the script with its text on `pipeline` (`EVAL`), which loads it. */
  queueLoading(pipeline: ChainableCommander, args: ScriptArgs): void {
    pipeline.eval(this.lua, this.keyCount, ...args);
  }
}

/** Whether Redis answered that it does not hold the script (it did not run). */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
