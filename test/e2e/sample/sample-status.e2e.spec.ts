import { resolve } from 'node:path';
import { WebSocket } from 'ws';
import { ChannelsClient } from '../../../lib/client/index.js';
import { readSampleConfig } from '../../../sample/src/sample.config.js';
import { startSample, type RunningSample } from '../../../sample/src/sample.app.js';
import { SampleApi } from '../browser/support/sample-api.js';
import { Inbox } from '../../client/support/client-harness.js';
import { TestClient } from '../../support/ws-client.js';

// SAMPLE.md: the `status` channel, delivery `latest`, and CHANNELS_MAX_BUFFERED_BYTES.
describe('the sample status channel', () => {
  let sample: RunningSample;
  const clients: ChannelsClient[] = [];

  const post = (path: string, body: unknown, token?: string) =>
    new SampleApi(sample.url).post(path, body, token);
  const login = (userId: string) => new SampleApi(sample.url).login(userId);

  beforeAll(async () => {
    const config = readSampleConfig(
      {
        PORT: '0',
        SAMPLE_TOKEN_SECRET: 'status-test-secret',
        CHANNELS_MAX_BUFFERED_BYTES: '65536',
      },
      resolve('sample/public'),
    );
    expect(config.maxBufferedBytes).toBe(65_536);
    sample = await startSample(config, false);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => sample.app.close());

  it('is delivered latest with deltas allowed: the subscribe reply says so, and the AsyncAPI document too', async () => {
    const token = await login('alice');
    const { client } = await TestClient.connect(`${sample.url.replace('http', 'ws')}channels`, {
      protocols: ['channels.v1', `bearer.${token}`],
    });
    const reply = await client.request('subscribe', { channel: 'status', delta: 'fossil' });
    expect(reply.data).toMatchObject({ channel: 'status', delivery: 'latest', delta: 'fossil' });
    client.close();
    const document = (await (await fetch(new URL('asyncapi.json', sample.url))).json()) as {
      channels: Record<string, { address: string; 'x-delivery': string; 'x-delta': string[] }>;
    };
    const byAddress = Object.values(document.channels);
    expect(byAddress.find((c) => c.address === 'status')?.['x-delivery']).toBe('latest');
    expect(byAddress.find((c) => c.address === 'broadcast')?.['x-delivery']).toBe('all');
    expect(byAddress.find((c) => c.address === 'status')?.['x-delta']).toEqual(['fossil']);
    expect(byAddress.find((c) => c.address === 'broadcast')?.['x-delta']).toEqual([]);
  });

  it('publishes the totals and the latest titles after every notification and announcement', async () => {
    const token = await login('bob');
    const client = new ChannelsClient({
      url: `${sample.url}channels`,
      token,
      WebSocket,
      transports: ['websocket'],
    });
    clients.push(client);
    await client.connect();
    const stats = new Inbox<{ notifications: number; announcements: number; recent: string[] }>();
    await client.subscribe('status', stats.handler);
    expect((await post('announcements', { title: 'First' }, token)).status).toBe(201);
    const body = { userId: 'bob', title: 'Second', body: '' };
    expect((await post('notifications', body, token)).status).toBe(201);
    const [first, second] = await stats.count(2);
    expect(second!.announcements - first!.announcements).toBe(0);
    expect(second!.notifications - first!.notifications).toBe(1);
    expect(first!.recent[0]).toBe('First');
    expect(second!.recent.slice(0, 2)).toEqual(['Second', 'First']);
  });
});
