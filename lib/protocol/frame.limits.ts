/**
 * Bounds on the structure of one command frame, checked while the JSON text is scanned and
 * before anything is built or validated, so that every frame that reaches a pipe is cheap.
 * A frame past a bound is answered `BAD_REQUEST`, with its `id` when it has one.
 *
 * @example ChannelsModule.forRoot({ limits: { frameLimits: { maxTotalKeys: 2_048 } } })
 */
export interface FrameLimits {
  /**
   * The deepest nesting of objects and arrays; the frame itself is level 1, so `data` may
   * hold `maxDepth - 1` levels.
   * @default 32
   */
  maxDepth?: number;
  /**
   * The most keys one object may have (counting repeated keys).
   * @default 256
   */
  maxKeys?: number;
  /**
   * The most keys in the whole frame, all objects together: validation costs about the same
   * per key wherever the keys sit (spread over the elements of a validated array, say).
   * @default 512
   */
  maxTotalKeys?: number;
  /**
   * The most elements one array may have.
   * @default 4096
   */
  maxArrayLength?: number;
  /**
   * The longest string, key or value, in characters of the JSON text (escapes included).
   * @default 65536
   */
  maxStringLength?: number;
}

/** {@link FrameLimits} with every bound set. */
export type ResolvedFrameLimits = Required<FrameLimits>;

/**
 * The default bounds: a 64 KB frame of ordinary data fits; the probe's 5,000-key object and
 * anything nested deeper than V8's reviver can follow do not. Validating 512 unknown keys
 * took ~3 ms here (250: ~1.4 ms), where the probe's 5,000 took ~57 ms.
 * @example parseCommand(text, { ...DEFAULT_FRAME_LIMITS, maxDepth: 8 })
 */
export const DEFAULT_FRAME_LIMITS: Readonly<ResolvedFrameLimits> = Object.freeze({
  maxDepth: 32,
  maxKeys: 256,
  maxTotalKeys: 512,
  maxArrayLength: 4_096,
  maxStringLength: 65_536,
});

/**
 * Fills the bounds left out with {@link DEFAULT_FRAME_LIMITS}.
 * @example resolveFrameLimits({ maxDepth: 8 }).maxKeys // 256
 */
export function resolveFrameLimits(limits: FrameLimits = {}): ResolvedFrameLimits {
  return {
    maxDepth: limits.maxDepth ?? DEFAULT_FRAME_LIMITS.maxDepth,
    maxKeys: limits.maxKeys ?? DEFAULT_FRAME_LIMITS.maxKeys,
    maxTotalKeys: limits.maxTotalKeys ?? DEFAULT_FRAME_LIMITS.maxTotalKeys,
    maxArrayLength: limits.maxArrayLength ?? DEFAULT_FRAME_LIMITS.maxArrayLength,
    maxStringLength: limits.maxStringLength ?? DEFAULT_FRAME_LIMITS.maxStringLength,
  };
}
