import { Agent, request as httpRequest } from 'node:http';
import { AUTH } from '../../support/token.guard.js';
import { sleep } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { useStrictLimitsApp } from './strict-limits.app.js';

// A client that leaves while its guards or its join run, or whose request is refused, leaves
// nothing behind: no subscription, no connection, no connection place.
describe('security: nothing kept for a client that left early or was refused', () => {
  const channels = useStrictLimitsApp();

  it('leaves no subscription behind when the connection closes during the join', async () => {
    const { client } = await TestClient.connect(channels.url, { headers: AUTH('ok') });
    client.send({ id: 1, event: 'subscribe', data: { channel: 'slow:a' } });
    await sleep(30);
    client.close();
    await client.closed;
    await sleep(350);
    expect(channels.service.subscriptionCount('slow:a')).toBe(0);
    expect(channels.service.connectionCount()).toBe(0);
  });

  it('registers no SSE stream whose client left while its guards ran', async () => {
    const req = httpRequest(`${channels.http}/channels/sse?channel=room:gone&wait=300`, {
      headers: { ...AUTH('ok'), Accept: 'text/event-stream' },
    });
    req.on('error', () => undefined);
    req.end();
    await sleep(50);
    req.destroy();
    await sleep(500);
    expect(channels.service.connectionCount()).toBe(0);
    expect(channels.service.subscriptionCount('room:gone')).toBe(0);
  });

  it('gives back the connection place of an SSE request refused for a bad cursor', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${channels.http}/channels/sse`,
          { agent, headers: { ...AUTH('ok'), ...headers } },
          (res) => {
            resolve(res.statusCode ?? 0);
            res.resume();
            if (res.statusCode === 200) req.destroy();
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await get({ 'Last-Event-ID': 'not-a-cursor!' })).toBe(400);
    expect(await get({})).toBe(200);
    agent.destroy();
    await sleep(50);
  });
});
