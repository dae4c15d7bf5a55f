import { ChannelsException } from './channels.exception.js';
import type { ResolvedFrameLimits } from './frame.limits.js';
import { scanFrame } from './frame.scanner.js';
import { ErrorCode, type CommandFrame } from './frames.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a JSON text into a command frame, within `limits`: the text is first scanned once,
 * without recursion, for its depth, keys per object, array lengths and string lengths (see
 * {@link scanFrame}); only a frame within every bound is handed to `JSON.parse`, whose reviver
 * then never runs deeper than `maxDepth`.
 *
 * Keys named `__proto__`, `constructor` or `prototype` are dropped at every depth, so a
 * payload can never reach an object's prototype chain (prototype poisoning). The scan notes
 * whether any string may be one of them; a text with none is parsed without a reviver.
 *
 * @throws ChannelsException `BAD_REQUEST` when the text passes a bound, is not JSON, not an object, has no
 *   string `event`, or an `id` that is not a positive integer. The exception carries the
 *   `id` when one could be read, so the error can still be correlated.
 * @example parseCommand('{"id":1,"event":"ping"}', DEFAULT_FRAME_LIMITS) // { id: 1, event: 'ping', data: undefined }
 */
export function parseCommand(text: string, limits: ResolvedFrameLimits): CommandFrame {
  const scan = scanFrame(text, limits);
  if (scan.violation !== undefined) {
    throw new ChannelsException(ErrorCode.BAD_REQUEST, scan.violation, { id: scan.id });
  }
  let value: unknown;
  try {
    // The reviver costs a call per value: only a text that may hold a forbidden key needs it.
    value = scan.prototypeKeys ? JSON.parse(text, dropPrototypeKeys) : JSON.parse(text);
  } catch {
    // The id read by the scan, when the text got that far: the client's request is settled.
    throw new ChannelsException(ErrorCode.BAD_REQUEST, 'The frame is not valid JSON.', {
      id: scan.id,
    });
  }
  return validateCommand(value);
}

function dropPrototypeKeys(key: string, value: unknown): unknown {
  return FORBIDDEN_KEYS.has(key) ? undefined : value;
}

function validateCommand(value: unknown): CommandFrame {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ChannelsException(ErrorCode.BAD_REQUEST, 'A command must be a JSON object.');
  }
  const frame = value as Record<string, unknown>;
  const id = frame.id;
  const validId = typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
  if (id !== undefined && !validId) {
    throw new ChannelsException(ErrorCode.BAD_REQUEST, '"id" must be a positive integer.');
  }
  const correlated = validId ? (id as number) : undefined;
  if (typeof frame.event !== 'string' || frame.event.length === 0) {
    throw new ChannelsException(ErrorCode.BAD_REQUEST, 'A command needs a string "event".', {
      id: correlated,
    });
  }
  return { id: correlated, event: frame.event, data: frame.data };
}
