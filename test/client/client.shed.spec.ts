import { StateLog, useClientHarness } from './support/client-harness.js';

// A node that sheds answers the upgrade with HTTP 503 (issue 21): the Node SDK reads it as
// "busy" (1013), backs off with jitter and comes back on WebSocket, never falling back to SSE
// for it. The node here sheds by a fixed rate: one handshake a second.
describe('ChannelsClient and a node that sheds handshakes', () => {
  const harness = useClientHarness(
    { rateLimits: { handshakeAdmission: { points: 1, durationMs: 1_000 } } },
    { token: 'alice-token', webSocketFailuresBeforeFallback: 1 },
  );

  it('backs off on the 503 as busy and reconnects over WebSocket once admitted', async () => {
    const first = harness.client();
    await first.connect();
    const second = harness.client();
    const log = new StateLog(second);
    const connected = second.connect();
    const reconnecting = await log.until((s) => s.state === 'reconnecting');
    expect(reconnecting).toMatchObject({ code: 1013, reason: 'The server is busy.' });
    await connected;
    expect(second.transport).toBe('websocket');
    expect(log.states().filter((s) => s === 'connected')).toHaveLength(1);
  });
});
