import type { PresenceChange } from '../../../lib/index.js';
import { PresenceCoalescer } from '../../../lib/presence/presence.coalescer.js';

const change = (type: PresenceChange['type'], key: string, channel = 'room:a'): PresenceChange => ({
  channel,
  type,
  key,
  info: null,
});

describe('PresenceCoalescer', () => {
  function collect() {
    const batches: Array<{ channel: string; changes: PresenceChange[] }> = [];
    const coalescer = new PresenceCoalescer(60_000, (channel, changes) =>
      batches.push({ channel, changes }),
    );
    return { coalescer, batches };
  }

  it('hands on one batch per channel, in order', () => {
    const { coalescer, batches } = collect();
    coalescer.add(change('join', 'alice'));
    coalescer.add(change('join', 'bob', 'room:b'));
    coalescer.add(change('join', 'carol'));
    expect(batches).toEqual([]);
    coalescer.flush();
    expect(batches).toEqual([
      { channel: 'room:a', changes: [change('join', 'alice'), change('join', 'carol')] },
      { channel: 'room:b', changes: [change('join', 'bob', 'room:b')] },
    ]);
    coalescer.close();
  });

  it('drops a join and a leave of the same key within a window, either way round', () => {
    const { coalescer, batches } = collect();
    coalescer.add(change('join', 'alice'));
    coalescer.add(change('leave', 'alice'));
    coalescer.add(change('leave', 'bob'));
    coalescer.add(change('join', 'bob'));
    coalescer.add(change('leave', 'carol'));
    coalescer.add(change('join', 'carol'));
    coalescer.add(change('leave', 'carol'));
    coalescer.flush();
    expect(batches).toEqual([{ channel: 'room:a', changes: [change('leave', 'carol')] }]);
    coalescer.close();
  });

  it('flushes by itself once the window has passed', async () => {
    const batches: PresenceChange[][] = [];
    const coalescer = new PresenceCoalescer(5, (_channel, changes) => batches.push(changes));
    coalescer.add(change('join', 'alice'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(batches).toEqual([[change('join', 'alice')]]);
    coalescer.close();
  });
});
