import { ChannelsException } from './channels.exception.js';
import type { ResolvedFrameLimits } from './frame.limits.js';
import { scanFrame, type FrameScan } from './frame.scanner.js';
import { dropPrototypeKeys } from './prototype-keys.js';
import { mayHoldBinary, reviveBinary } from './binary-value.js';
import { ErrorCode, type CommandFrame } from './frames.js';

/**
 * Parses a JSON text into a command frame, within `limits`: the text is first scanned once,
 * without recursion, for its depth, keys per object, array lengths and string lengths (see
 * {@link scanFrame}); only a frame within every bound is handed to `JSON.parse`.
 *
 * Keys named `__proto__`, `constructor` or `prototype` are dropped at every depth, so a
 * payload can never reach an object's prototype chain (prototype poisoning). Every
 * `{ "$binary": "<base64>" }` becomes a `Buffer`.
 *
 * @throws ChannelsException `BAD_REQUEST` when the text passes a bound, is not JSON, not an object, has no
 *   string `event`, or an `id` that is not a positive integer. The exception carries the
 *   `id` when one could be read, so the error can still be correlated.
 * @example parseCommand('{"id":1,"event":"ping"}', DEFAULT_FRAME_LIMITS) // { id: 1, event: 'ping', data: undefined }
 */
export function parseCommand(text: string, limits: ResolvedFrameLimits): CommandFrame {
  return parseScanned(text, scanFrame(text, limits));
}

/**
 * {@link parseCommand} for a text already scanned (the router scans first, to charge the rate
 * limit before anything is built): every frame within the bounds costs one plain `JSON.parse`,
 * whatever its keys, plus a walk that drops the keys reaching a prototype when the scan saw
 * one (see {@link dropPrototypeKeys}).
 *
 * @throws ChannelsException `BAD_REQUEST`, as {@link parseCommand}
 * @example parseScanned(text, scanFrame(text, DEFAULT_FRAME_LIMITS))
 */
export function parseScanned(text: string, scan: FrameScan): CommandFrame {
  if (scan.violation !== undefined) {
    throw new ChannelsException(ErrorCode.BAD_REQUEST, scan.violation, { id: scan.id });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The id read by the scan, when the text got that far: the client's request is settled.
    throw new ChannelsException(ErrorCode.BAD_REQUEST, 'The frame is not valid JSON.', {
      id: scan.id,
    });
  }
  // JSON.parse defines "__proto__" as an own key, never as the prototype: dropping such keys
  // afterwards is safe, and costs a walk only for the rare text whose scan saw one.
  if (scan.prototypeKeys) dropPrototypeKeys(value);
  // `{ "$binary": "<base64>" }` is a byte array (PROTOCOL.md): the handler gets the bytes.
  if (mayHoldBinary(text)) reviveBinary(value);
  return validateCommand(value);
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
