import { isChannelName } from '../protocol/channel-name.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode, type StreamPosition } from '../protocol/frames.js';

/** The longest cursor accepted, in characters: 100 channels of the longest names fit. */
const MAX_CURSOR_LENGTH = 64 * 1024;

/**
 * Encodes the position of a stream in every one of its channels as an SSE event id: the
 * base64url form of the JSON object `{ "<channel>": ["<epoch>", <offset>], ... }`. Clients
 * treat it as opaque and hand it back as `Last-Event-ID` (or `?lastEventId=`).
 *
 * @example encodeCursor(new Map([['user:42', { epoch: 'k3J9', offset: 18 }]]))
 * // 'eyJ1c2VyOjQyIjpbImszSjkiLDE4XX0'
 */
export function encodeCursor(positions: ReadonlyMap<string, Partial<StreamPosition>>): string {
  // No prototype: a channel may be named `__proto__`.
  const entries = Object.create(null) as Record<string, [string, number]>;
  for (const [channel, { epoch, offset }] of positions) {
    // A subscription whose position is not known yet is not in the cursor.
    if (epoch !== undefined && offset !== undefined) entries[channel] = [epoch, offset];
  }
  return Buffer.from(JSON.stringify(entries)).toString('base64url');
}

/**
 * Reads a cursor made by {@link encodeCursor}.
 * @throws ChannelsException `BAD_REQUEST` for anything else (not base64url JSON of that shape,
 *   an invalid channel name, an offset that is not an integer >= 0)
 * @example decodeCursor('eyJ1c2VyOjQyIjpbImszSjkiLDE4XX0') // Map { 'user:42' => { epoch: 'k3J9', offset: 18 } }
 */
export function decodeCursor(cursor: string): Map<string, StreamPosition> {
  const invalid = () =>
    new ChannelsException(
      ErrorCode.BAD_REQUEST,
      'The Last-Event-ID is not a cursor this server issued.',
    );
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const positions = new Map<string, StreamPosition>();
  for (const [channel, entry] of Object.entries(value)) {
    if (!isChannelName(channel) || !Array.isArray(entry) || entry.length !== 2) throw invalid();
    const [epoch, offset] = entry as unknown[];
    if (typeof epoch !== 'string' || !Number.isSafeInteger(offset) || (offset as number) < 0)
      throw invalid();
    positions.set(channel, { epoch, offset: offset as number });
  }
  return positions;
}
