import type { PresenceChange } from '../protocol/presence.types.js';

/**
 * What a message on the presence change channel says: one node's changes of one channel (a
 * window's batch, or a node's removal), or a marker a node published to learn that its
 * subscription received everything before it.
 * @example readPresenceMessage('["room:a","diff",[["alice","null"]],{}]') // { changes: [join alice] }
 */
export type PresenceMessage = { changes: PresenceChange[] } | { flush: string } | undefined;

/**
 * Reads `[channel, 'diff', [[key, infoJson], …joins], [[key, infoJson], …leaves]]` or
 * `['', 'flush', marker, '']` (see `redis-presence.scripts.ts`); undefined for anything else.
 */
export function readPresenceMessage(message: string): PresenceMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
  const [channel, type, joins, leaves] = parsed as [unknown, unknown, unknown, unknown];
  if (type === 'flush' && typeof joins === 'string') return { flush: joins };
  if (type !== 'diff' || typeof channel !== 'string') return undefined;
  const changes: PresenceChange[] = [];
  for (const [key, info] of pairs(joins)) changes.push({ channel, type: 'join', key, info });
  for (const [key, info] of pairs(leaves)) changes.push({ channel, type: 'leave', key, info });
  return { changes };
}

/** A stored info (JSON), parsed; `null` when absent or unreadable. */
export function parseInfo(json: string | undefined): unknown {
  if (json === undefined) return null;
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

// The `[key, infoJson]` pairs of a diff's list, info parsed (cjson writes an empty list as `{}`).
function pairs(list: unknown): Array<[string, unknown]> {
  if (!Array.isArray(list)) return [];
  return list
    .filter((pair): pair is [string, string] => Array.isArray(pair) && typeof pair[0] === 'string')
    .map(([key, info]) => [key, parseInfo(info)]);
}
