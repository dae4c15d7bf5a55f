import { SseParser, type SseEvent } from '../../lib/client/sse.parser.js';

function parse(chunks: string[]): { events: SseEvent[]; comments: string[] } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = new SseParser(
    (e) => events.push(e),
    (c) => comments.push(c),
  );
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments };
}

describe('the text/event-stream parser', () => {
  const stream =
    'retry: 2000\n\nevent: connected\ndata: {"connectionId":"c1","heartbeatMs":25000,"protocol":1}\n\n' +
    ': ping\n\nid: cur-1\nevent: notification\ndata: {"channel":"user:a","event":"notification","data":{},"offset":1,"epoch":"e"}\n\n';

  it('reads the welcome, comments and pushes with their ids', () => {
    const { events, comments } = parse([stream]);
    expect(events).toEqual([
      { event: 'connected', data: '{"connectionId":"c1","heartbeatMs":25000,"protocol":1}' },
      { event: 'notification', id: 'cur-1', data: expect.stringContaining('"offset":1') },
    ]);
    expect(comments).toEqual(['ping']);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    const whole = parse([stream]).events;
    for (let size = 1; size < 12; size++) {
      const chunks = stream.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      expect(parse(chunks).events).toEqual(whole);
    }
  });

  it('accepts CRLF and CR line endings, even when a CRLF is split across chunks', () => {
    const crlf = 'event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r';
    expect(parse([crlf]).events).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
    ]);
    expect(parse(['event: a\r', '\ndata: 1\r', '\n\r', '\n']).events).toEqual([
      { event: 'a', data: '1' },
    ]);
  });

  it('joins multi-line data, defaults the event to message, and skips events without data', () => {
    expect(parse(['data: one\ndata: two\n\nevent: empty\n\ndata\n\n']).events).toEqual([
      { event: 'message', data: 'one\ntwo' },
      { event: 'message', data: '' },
    ]);
  });

  it('strips a leading byte-order mark and keeps values without the optional space', () => {
    expect(parse(['\uFEFFevent:x\ndata:{"a":1}\n\n']).events).toEqual([
      { event: 'x', data: '{"a":1}' },
    ]);
  });
});
