import type { TransportName } from '../../lib/client/index.js';
import { ChannelsClient } from '../../lib/client/index.js';
import { useClientHarness } from './support/client-harness.js';

// Issue 20, item 8: a Node client without a WebSocket implementation never runs on SSE unasked.
describe('ChannelsClient without a WebSocket implementation', () => {
  const harness = useClientHarness();
  const global = globalThis as { WebSocket?: unknown };
  const own = global.WebSocket;
  // Node 20 has no global WebSocket; Node 22 has one, which these tests take away.
  beforeEach(() => delete global.WebSocket);
  afterEach(() => {
    if (own !== undefined) global.WebSocket = own;
  });

  it.each([undefined, ['websocket']] as (TransportName[] | undefined)[])(
    'refuses to start with transports %p, and says how to fix it',
    (transports) => {
      expect(() => new ChannelsClient({ url: harness.server.url, transports })).toThrow(
        new RegExp(
          'no WebSocket implementation.*' +
            "import \\{ WebSocket \\} from 'ws'; new ChannelsClient\\(\\{ url, WebSocket \\}\\).*" +
            "transports: \\['sse'\\]",
        ),
      );
    },
  );

  it('runs on SSE when asked', async () => {
    const c = harness.client({ WebSocket: undefined, transports: ['sse'], token: 'alice-token' });
    await c.connect();
    expect(c.transport).toBe('sse');
    expect(await c.request('echo', { n: 1 })).toEqual({ n: 1 });
  });

  it('falls back to SSE when configured to', async () => {
    const c = harness.client({
      WebSocket: undefined,
      transports: ['websocket', 'sse'],
      token: 'alice-token',
    });
    await c.connect();
    expect(c.transport).toBe('sse');
  });

  it('runs on WebSocket with the implementation it is given', async () => {
    const c = harness.client({ token: 'alice-token' });
    await c.connect();
    expect(c.transport).toBe('websocket');
  });
});
