import { CloseCode, ErrorCode } from '../protocol/frames.js';

/**
 * The `event` label of a command whose event has no handler in the app.
 * @example sum(rate(channels_commands_total{event="(unknown)"}[5m]))
 */
export const UNKNOWN_EVENT_LABEL = '(unknown)';
/**
 * The `event` label of a frame that could not be parsed into a command.
 * @example sum(rate(channels_commands_total{event="(invalid)"}[5m]))
 */
export const INVALID_FRAME_LABEL = '(invalid)';
/**
 * The label of a code outside the protocol's (a client may close with any 3000-4999 code).
 * @example channels_disconnects_total{code="other"}
 */
export const OTHER_LABEL = 'other';

const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
// The protocol's codes, and the two a WebSocket reports for a close without a code.
const CLOSE_CODES: ReadonlySet<number> = new Set([...Object.values(CloseCode), 1005, 1006]);

/** The `event` label: the app's own events and the built-ins as they are, the rest one value each. */
export function eventLabel(event: string | undefined, known: boolean): string {
  if (event === undefined) return INVALID_FRAME_LABEL;
  return known ? event : UNKNOWN_EVENT_LABEL;
}

/** The `result` label: `ok`, `accepted`, or a protocol error code. */
export function resultLabel(result: string): string {
  return result === 'ok' || result === 'accepted' || ERROR_CODES.has(result) ? result : OTHER_LABEL;
}

/** The `code` label of a disconnect: a protocol close code, 1005, 1006, or `other`. */
export function closeCodeLabel(code: number): string {
  return CLOSE_CODES.has(code) ? String(code) : OTHER_LABEL;
}
