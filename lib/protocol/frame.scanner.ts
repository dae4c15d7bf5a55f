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
}

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
  // read is "id".
  let rootKeyNext = false;
  let idKey = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      i = start;
      while (i < length) {
        const d = text.charCodeAt(i);
        if (d === QUOTE) break;
        i += d === BACKSLASH ? 2 : 1;
      }
      if (violation === undefined && i - start > limits.maxStringLength)
        violation = `A string is longer than ${limits.maxStringLength} characters.`;
      if (commas.length === 1) {
        idKey = rootKeyNext && i - start === 2 && text.startsWith('id', start);
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
      if (!idKey || commas.length !== 1) continue;
      idKey = false;
      let at = i + 1;
      while (at < length && isSpace(text.charCodeAt(at))) at++;
      NUMBER_TOKEN.lastIndex = at;
      const match = NUMBER_TOKEN.exec(text);
      const value = match ? Number(match[0]) : NaN;
      id = Number.isSafeInteger(value) && value > 0 ? value : undefined;
    }
    // Past a bound only the id matters; once it is known there is nothing left to read.
    if (violation !== undefined && id !== undefined) break;
  }
  return violation === undefined ? { id } : { id, violation };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
