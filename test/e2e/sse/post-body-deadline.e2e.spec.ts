import type { IncomingMessage } from 'node:http';
import { rawPost } from '../../support/raw-post.mjs';
import { postCommand } from '../../support/sse-client.js';
import { useChannels } from '../security/channels-app.js';

const clientIp = (request: IncomingMessage) => String(request.headers['x-test-ip'] ?? 'none');

// A POST body has a deadline (limits.bodyTimeoutMs) and one address a cap on the bodies it may
// have arriving at once (limits.maxPendingBodiesPerIp), on the single-node (in-memory) module.
describe('POST bodies: a deadline and a cap per address', () => {
  const channels = useChannels({
    limits: { bodyTimeoutMs: 500, maxPendingBodiesPerIp: 3 },
    auth: { clientIp },
  });
  const halfOpen = (ip: string) =>
    rawPost(
      {
        url: `${channels.http}/channels/messages`,
        headers: { 'X-Test-Ip': ip },
        sent: '{"id":1,"ev',
        declared: 60_000,
      },
      3_000,
    );

  it('answers a body that has not arrived by the deadline 408 and closes its socket', async () => {
    const outcome = await halfOpen('a');
    expect(outcome.status).toBe(408);
    expect(outcome.answeredMs).toBeGreaterThanOrEqual(450);
    expect(outcome.answeredMs).toBeLessThan(1_500);
    expect(outcome.closedMs).toBeLessThan(1_500);
    expect(JSON.parse(outcome.body).error.code).toBe('BAD_REQUEST');
  });

  it('refuses the next unfinished body of an address 429 at once, and serves others', async () => {
    const held = [halfOpen('b'), halfOpen('b'), halfOpen('b')];
    await new Promise((r) => setTimeout(r, 100));
    const fourth = await halfOpen('b');
    expect(fourth.status).toBe(429);
    expect(fourth.answeredMs).toBeLessThan(200);
    expect(fourth.retryAfter).toBe('1');
    expect(JSON.parse(fourth.body).error.code).toBe('RATE_LIMITED');
    // Another address is still served.
    const other = await postCommand(
      `${channels.http}/channels/messages`,
      { id: 2, event: 'echo', data: 'x' },
      { 'X-Test-Ip': 'c' },
    );
    expect(other.json).toEqual({ id: 2, data: 'x' });
    expect((await Promise.all(held)).map((o) => o.status)).toEqual([408, 408, 408]);
    // Their places are free again.
    expect((await halfOpen('b')).status).toBe(408);
  });
});
