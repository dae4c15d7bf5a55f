import { DEFAULT_FRAME_LIMITS } from '../../../lib/protocol/frame.limits.js';
import { scanFrame } from '../../../lib/protocol/frame.scanner.js';

const eventOf = (text: string) => scanFrame(text, DEFAULT_FRAME_LIMITS).event;

// The rate limit is charged with the event the scan reads, before the parse: it must be the
// event JSON.parse will find, or none (the router then charges the parsed one too).
describe('frame scanner: the top-level event', () => {
  it.each([
    ['{"id":1,"event":"chat.send","data":{"event":"inner"}}', 'chat.send'],
    ['{ "data" : [1,{"event":"x"}] , "event" : "late" }', 'late'],
    ['{"event":"ch\\u0061t"}', 'chat'],
    ['{"event":"a","event":"b"}', 'b'],
    ['{"event":"a","event":1}', undefined],
    ['{"event":1,"event":"b"}', 'b'],
    ['{"data":{"event":"x"},"kind":"event"}', undefined],
    ['{"eventful":"x","event":{"name":"y"}}', undefined],
    ['["event","x"]', undefined],
  ])('%s reads %s', (text, event) => {
    expect(eventOf(text)).toBe(event);
    const parsed = (JSON.parse(text) as { event?: unknown }).event;
    expect(typeof parsed === 'string' ? parsed : undefined).toBe(event);
  });

  it('does not see a key spelled with escapes (the router charges the parsed event then)', () => {
    const text = '{"\\u0065vent":"chat"}';
    expect(eventOf(text)).toBeUndefined();
    expect((JSON.parse(text) as { event: string }).event).toBe('chat');
  });

  it('reports no event for a frame past its bounds (charged to the shared budget)', () => {
    const scan = scanFrame('{"id":2,"event":"x","data":[[[1]]]}', {
      ...DEFAULT_FRAME_LIMITS,
      maxDepth: 3,
    });
    expect(scan).toEqual({ id: 2, violation: 'The frame is nested deeper than 3 levels.' });
  });
});
