import type { Logger } from '@nestjs/common';

/**
 * The commands (and requests) a transport is still working on, so a graceful shutdown can let
 * them finish. A failure is logged here: nothing tracked may reject unobserved.
 */
export class InFlightTracker {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Tracks `work` until it settles; `onError` runs after the failure is logged. */
  track(work: Promise<void>, onError?: () => void): void {
    // One reaction (not a catch and a finally): this runs for every handshake and command.
    const done: Promise<void> = work.then(
      () => {
        this.pending.delete(done);
      },
      (error: unknown) => {
        this.pending.delete(done);
        this.fail(error, onError);
      },
    );
    this.pending.add(done);
  }

  /** What a tracked failure gets, for work that failed without a promise: logged, then `onError`. */
  fail(error: unknown, onError?: () => void): void {
    this.logger.error(error);
    onError?.();
  }

  /** Resolves when everything tracked now has settled, or when `deadline` resolves first. */
  drain(deadline: Promise<void>): Promise<unknown> {
    return Promise.race([Promise.allSettled([...this.pending]), deadline]);
  }
}

/** A timer as a promise that never holds the process open, and can be cancelled. */
export function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref()));
  return { promise, cancel: () => clearTimeout(timer) };
}

/** The path of a request's URL, without its query and trailing slashes. */
export function requestPath(url: string | undefined): string {
  const full = url ?? '/';
  const query = full.indexOf('?');
  const path = query < 0 ? full : full.slice(0, query);
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 0x2f) end -= 1;
  return end === path.length ? path : path.slice(0, end);
}
