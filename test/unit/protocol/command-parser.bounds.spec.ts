import { ChannelsException } from '../../../lib/protocol/channels.exception.js';
import { parseCommand } from '../../../lib/protocol/command.parser.js';
import { DEFAULT_FRAME_LIMITS, resolveFrameLimits } from '../../../lib/protocol/frame.limits.js';
import { scanFrame } from '../../../lib/protocol/frame.scanner.js';

function refusal(text: string, limits = DEFAULT_FRAME_LIMITS): { id?: number; message: string } {
  try {
    parseCommand(text, limits);
  } catch (error) {
    if (!(error instanceof ChannelsException)) throw error;
    return { id: error.options.id, message: error.message };
  }
  throw new Error('parsed');
}

describe('command parser: structure bounds', () => {
  const small = resolveFrameLimits({
    maxDepth: 3,
    maxKeys: 2,
    maxTotalKeys: 6,
    maxArrayLength: 3,
    maxStringLength: 5,
  });

  it('accepts a frame exactly at every bound', () => {
    const text = '{"id":1,"event":"e","data":[[1,2,3]]}';
    expect(scanFrame(text, { ...small, maxKeys: 3 })).toEqual({ id: 1, event: 'e' });
    expect(parseCommand(text, { ...small, maxKeys: 3 })).toEqual({
      id: 1,
      event: 'e',
      data: [[1, 2, 3]],
    });
  });

  it('names the first bound passed and keeps the id', () => {
    expect(refusal('{"id":4,"event":"e","data":[[[1]]]}', { ...small, maxKeys: 3 })).toEqual({
      id: 4,
      message: 'The frame is nested deeper than 3 levels.',
    });
    expect(
      refusal('{"id":5,"event":"e","data":{"a":1,"b":2,"c":3,"d":4}}', { ...small, maxKeys: 3 }),
    ).toEqual({ id: 5, message: 'An object has more than 3 keys.' });
    expect(
      refusal('{"id":3,"event":"e","data":[{"a":1,"b":2},{"c":3,"d":4}]}', {
        ...small,
        maxKeys: 3,
      }),
    ).toEqual({ id: 3, message: 'The frame has more than 6 keys in all.' });
    expect(refusal('{"id":6,"event":"e","data":[1,2,3,4]}', { ...small, maxKeys: 3 })).toEqual({
      id: 6,
      message: 'An array has more than 3 elements.',
    });
    expect(refusal('{"id":7,"event":"e","data":"abcdef"}', { ...small, maxKeys: 3 })).toEqual({
      id: 7,
      message: 'A string is longer than 5 characters.',
    });
  });

  it('counts the elements of a container around a nested one, and ignores a stray bracket', () => {
    const limits = { ...small, maxKeys: 3, maxDepth: 4, maxTotalKeys: 20 };
    expect(scanFrame('{"id":1,"event":"e","data":[[1,2,3],[4],{"a":[5]}]}', limits)).toEqual({
      id: 1,
      event: 'e',
    });
    expect(refusal('{"id":2,"event":"e","data":[1,[2,3],4,5]}', limits)).toEqual({
      id: 2,
      message: 'An array has more than 3 elements.',
    });
    expect(refusal('{"id":3,"event":"e","data":{"a":{"b":1},"c":2,"d":3,"f":4}}', limits)).toEqual({
      id: 3,
      message: 'An object has more than 3 keys.',
    });
    expect(scanFrame(']]{"id":4,"event":"e","data":[1,2,3]}', limits)).toEqual({
      id: 4,
      event: 'e',
    });
  });

  it('reads brackets, commas and quotes inside strings as text', () => {
    const text = '{"id":8,"event":"e","data":"[[[,,\\"{{"}';
    expect(scanFrame(text, { ...small, maxKeys: 3, maxStringLength: 20 })).toEqual({
      id: 8,
      event: 'e',
    });
  });

  it('finds the id after a deep part, and only a top-level positive integer id', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(refusal(`{"event":"e","data":${deep},"id":9}`).id).toBe(9);
    expect(refusal(`{"event":"e","data":{"id":3,"x":${deep}}}`).id).toBeUndefined();
    expect(refusal(`{"id":-1,"event":"e","data":${deep}}`).id).toBeUndefined();
    expect(refusal(`{"id":1.5,"event":"e","data":${deep}}`).id).toBeUndefined();
    expect(refusal(`{"id": 12 ,"event":"e","data":${deep}}`).id).toBe(12);
    expect(refusal(`{"event":"id","data":${deep},"x":"id"}`).id).toBeUndefined();
  });

  it('keeps the id of a text that is not JSON once the id was read', () => {
    expect(refusal('{"id":10,"event":"e","data":tru')).toEqual({
      id: 10,
      message: 'The frame is not valid JSON.',
    });
    expect(refusal('{"event":"e" "id":10')).toEqual({
      id: undefined,
      message: 'The frame is not valid JSON.',
    });
  });
});
