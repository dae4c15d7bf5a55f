import { useClientHarness, webSocketBlockedAtFirst } from './support/client-harness.js';

// getToken is called after every refusal (docs/client.md): whatever the server refused, the
// next thing the client sends carries a fresh token, on every path.
describe('ChannelsClient refreshes a refused token everywhere it sends one', () => {
  const harness = useClientHarness({}, { random: () => 0 });
  const client = harness.client;

  it('sends the next POST over SSE with a fresh token after one was answered 401', async () => {
    const { issued, getToken } = harness.issueTokens('post');
    const c = client({ transports: ['sse'], getToken });
    await c.connect();
    harness.server.tokens.users.delete('post-1');
    await expect(c.request('whoami')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      status: 401,
    });
    // Accepted: it carried post-2 (a bound POST runs with the stream's connection, so the
    // handler still sees the handshake's post-1).
    expect(await c.request('whoami')).toMatchObject({ id: 'alice', transport: 'sse' });
    expect(issued).toEqual(['post-1', 'post-2']);
    expect(c.transport).toBe('sse');
  });

  it('calls getToken once for the POSTs that wait for the same fresh token', async () => {
    const { issued, getToken } = harness.issueTokens('burst');
    const c = client({ transports: ['sse'], getToken });
    await c.connect();
    harness.server.tokens.users.delete('burst-1');
    await expect(c.request('whoami')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const answers = await Promise.all([1, 2, 3].map((n) => c.request('echo', n)));
    expect(answers).toEqual([1, 2, 3]);
    expect(issued).toEqual(['burst-1', 'burst-2']);
  });

  it('tries WebSocket again from SSE with a fresh token after the try was refused with 4401', async () => {
    const { issued, getToken } = harness.issueTokens('return');
    const c = client({ WebSocket: webSocketBlockedAtFirst(), retryWebSocketMs: 100, getToken });
    await c.connect();
    expect(c.transport).toBe('sse');
    const moved = new Promise<void>((resolve) =>
      c.on('transport', (t) => t === 'websocket' && resolve()),
    );
    // The SSE stream stays up; the background WebSocket is refused with 4401.
    harness.server.tokens.users.delete('return-1');
    await moved;
    expect(await c.request('whoami')).toMatchObject({
      token: 'return-2',
      transport: 'websocket',
    });
    expect(issued).toEqual(['return-1', 'return-2']);
  });
});

describe('ChannelsClient stops on a refusal that will not change', () => {
  const harness = useClientHarness({}, { random: () => 0 });

  it('stops with UNAUTHORIZED when the fresh token is refused again, instead of retrying forever', async () => {
    const issued: string[] = [];
    // getToken keeps handing out tokens the server does not know.
    const c = harness.client({
      getToken: () => {
        issued.push(`unknown-${issued.length + 1}`);
        return issued.at(-1)!;
      },
    });
    await expect(c.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(issued).toEqual(['unknown-1', 'unknown-2']);
    expect(c.state).toBe('closed');
  });
});
