import type { ResolvedFrameLimits } from './frame.limits.js';

/**
 * What one pass over a frame's JSON text found, before anything is built.
 * @example scanFrame('{"id":3,"event":"x"}', DEFAULT_FRAME_LIMITS) // { id: 3 }
 */
export interface FrameScan {
  /** The top-level `id` when it is a positive integer literal, so even a refusal keeps it. */
  id?: number;
  /** The first bound the text passes, as a message for the client; absent when within them. */
  violation?: string;
  /**
   * The top-level `event` when it is a string (the last one, as `JSON.parse` keeps the last of
   * duplicate keys), read so the rate limit of that event can be charged before the parse.
   * Only a key written `"event"` without escapes is seen: a frame that spells it otherwise is
   * charged again for the event it parses to.
   * @example scanFrame('{"id":3,"event":"chat.send"}', DEFAULT_FRAME_LIMITS).event // 'chat.send'
   */
  event?: string;
  /**
   * Whether a string in the text reads `__proto__`, `constructor` or `prototype` once decoded
   * (escapes included): only then does the parser need to look for keys to drop.
   * @default false
   * @example scanFrame('{"event":"x","data":{"__proto__":1}}', DEFAULT_FRAME_LIMITS).prototypeKeys // true
   */
  prototypeKeys?: boolean;
}

// The longest escaped string that can decode to "constructor": 11 characters as `\uXXXX`.
const MAX_ESCAPED_FORBIDDEN = 11 * 6;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Checks a JSON text against {@link ResolvedFrameLimits} in one loop over its characters, with
 * no recursion and nothing allocated per value, so a frame nested 10,000 levels deep or
 * holding 5,000 keys costs a linear read and is refused before `JSON.parse` or validation.
 *
 * It is not a JSON validator: it only tracks strings, brackets and commas, and leaves the
 * syntax to `JSON.parse`. Past a bound it keeps reading only to find the top-level `id`.
 *
 * @example scanFrame('[[[1]]]', { ...DEFAULT_FRAME_LIMITS, maxDepth: 2 }).violation
 * // 'The frame is nested deeper than 2 levels.'
 */
export function scanFrame(text: string, limits: ResolvedFrameLimits): FrameScan {
  // Per open container: the commas seen so far (elements - 1), and whether it is an array.
  const commas: number[] = [];
  const arrays: boolean[] = [];
  let violation: string | undefined;
  let id: number | undefined;
  // Every key is followed by a colon outside strings: counting colons counts keys.
  let keys = 0;
  // Inside the top-level object: whether the next string is a key, and whether the key just
  // read is "id" or "event".
  let rootKeyNext = false;
  let idKey = false;
  let eventKey = false;
  // Where the string value of a top-level "event" key opens (its quote), and what it reads.
  let eventAt = -1;
  let event: string | undefined;
  let prototypeKeys = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      let escaped = false;
      i = start;
      while (i < length) {
        const d = text.charCodeAt(i);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          i += 2;
        } else i++;
      }
      // Keys and values alike (telling them apart costs more than the rare false alarm).
      if (!prototypeKeys) prototypeKeys = mayReachPrototype(text, start, i - start, escaped);
      if (violation === undefined && i - start > limits.maxStringLength)
        violation = `A string is longer than ${limits.maxStringLength} characters.`;
      if (commas.length === 1) {
        if (start - 1 === eventAt) event = readString(text, start, i, escaped);
        idKey = rootKeyNext && i - start === 2 && text.startsWith('id', start);
        eventKey = rootKeyNext && !escaped && i - start === 5 && text.startsWith('event', start);
        rootKeyNext = false;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      commas.push(0);
      arrays.push(c === OPEN_ARRAY);
      if (violation === undefined && commas.length > limits.maxDepth)
        violation = `The frame is nested deeper than ${limits.maxDepth} levels.`;
      if (commas.length === 1) rootKeyNext = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      commas.pop();
      arrays.pop();
    } else if (c === COMMA) {
      const top = commas.length - 1;
      if (top < 0) continue;
      const elements = ++commas[top]! + 1;
      if (violation === undefined) {
        if (arrays[top] && elements > limits.maxArrayLength)
          violation = `An array has more than ${limits.maxArrayLength} elements.`;
        else if (!arrays[top] && elements > limits.maxKeys)
          violation = `An object has more than ${limits.maxKeys} keys.`;
      }
      if (top === 0) rootKeyNext = !arrays[0];
    } else if (c === COLON) {
      if (++keys > limits.maxTotalKeys && violation === undefined)
        violation = `The frame has more than ${limits.maxTotalKeys} keys in all.`;
      if ((!idKey && !eventKey) || commas.length !== 1) continue;
      let at = i + 1;
      while (at < length && isSpace(text.charCodeAt(at))) at++;
      if (eventKey) {
        eventKey = false;
        // A later "event" that is not a string wins over an earlier one, as in JSON.parse.
        event = undefined;
        if (text.charCodeAt(at) === QUOTE) eventAt = at;
        continue;
      }
      idKey = false;
      NUMBER_TOKEN.lastIndex = at;
      const match = NUMBER_TOKEN.exec(text);
      const value = match ? Number(match[0]) : NaN;
      id = Number.isSafeInteger(value) && value > 0 ? value : undefined;
    }
    // Past a bound only the id matters; once it is known there is nothing left to read.
    if (violation !== undefined && id !== undefined) break;
  }
  if (violation !== undefined) return { id, violation };
  const scan: FrameScan = { id };
  if (event !== undefined) scan.event = event;
  if (prototypeKeys) scan.prototypeKeys = true;
  return scan;
}

// A string's value: sliced when it has no escape, decoded when it has (rare for an event name).
function readString(text: string, start: number, end: number, escaped: boolean) {
  if (!escaped) return text.slice(start, end);
  try {
    return JSON.parse(text.slice(start - 1, end + 1)) as string;
  } catch {
    return undefined;
  }
}

function mayReachPrototype(text: string, start: number, length: number, escaped: boolean) {
  if (escaped) {
    if (length > MAX_ESCAPED_FORBIDDEN) return false;
    // Rare and short: decode it. One JSON.parse cannot tell, so a bad escape is a maybe.
    try {
      return FORBIDDEN.has(JSON.parse(text.slice(start - 1, start + length + 1)) as string);
    } catch {
      return true;
    }
  }
  if (length === 9)
    return text.startsWith('__proto__', start) || text.startsWith('prototype', start);
  return length === 11 && text.startsWith('constructor', start);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
