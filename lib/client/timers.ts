/** A timer handle in browsers (a number) and in Node (an object). */
export type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * `setTimeout` that, in Node, does not keep the process alive by itself: for timers that only
 * matter while something else (an open socket, a pending request's caller) already does.
 */
export function backgroundTimeout(callback: () => void, ms: number): TimerHandle {
  const timer = setTimeout(callback, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** `setInterval` that, in Node, does not keep the process alive by itself. */
export function backgroundInterval(
  callback: () => void,
  ms: number,
): ReturnType<typeof setInterval> {
  const timer = setInterval(callback, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
