import type { INestApplication } from '@nestjs/common';
import { ChannelGateway, ChannelsModule, ChannelsService, OnJoin } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { RawSseClient } from '../../support/sse-client.js';
import { TestClient } from '../../support/ws-client.js';

@ChannelGateway()
class FastPathGateway {
  @OnJoin('fast:{n}')
  join() {
    return true;
  }
}

// A push is framed once for all WebSocket subscribers, and each SSE event is shared between
// streams where it can be; every subscriber must still see exactly its own frames, in order.
describe('the fan-out fast path', () => {
  let app: INestApplication;
  let ws: string;
  let http: string;
  let channels: ChannelsService;
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    const started = await startApp({
      imports: [ChannelsModule.forRoot({ limits: { maxConnectionsPerIp: 1000 } })],
      providers: [FastPathGateway],
    });
    ({ app, ws, http } = started);
    channels = app.get(ChannelsService);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  async function subscriber(...names: string[]): Promise<TestClient> {
    const { client } = await TestClient.connect(`${ws}/channels`);
    open.push(client);
    for (const channel of names) await client.request('subscribe', { channel });
    return client;
  }

  it('writes pushes of every frame length, published from separate turns, intact and in order', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => subscriber('fast:1')));
    const sizes = [1, 100, 125, 126, 127, 1_000, 65_535, 65_536, 200_000, 3];
    // Each publish in a turn of its own, as pushes triggered by separate requests arrive.
    for (const size of sizes) {
      await new Promise((resolve) => setImmediate(resolve));
      void channels.publish('fast:1', 'sized', { text: 'ü'.repeat(size) });
    }
    for (const client of clients) {
      for (const [i, size] of sizes.entries()) {
        const push = await client.next((f) => f.channel === 'fast:1');
        expect(push.offset).toBe(i + 1);
        expect(push.data.text).toBe('ü'.repeat(size));
      }
    }
  });

  it('keeps a reply and the pushes around it on one socket, none lost or repeated', async () => {
    const client = await subscriber('fast:2');
    const other = await subscriber('fast:2', 'fast:3');
    const published = Array.from({ length: 50 }, (_, n) =>
      channels.publish(n % 2 ? 'fast:2' : 'fast:3', 'n', n),
    );
    const reply = await client.request('unsubscribe', { channel: 'fast:3' });
    await Promise.all(published);
    expect(reply.data).toEqual({ channel: 'fast:3', unsubscribed: false });
    const mine = await client.pushesWithin('fast:2', 100);
    expect(mine.map((p) => p.data)).toEqual(Array.from({ length: 25 }, (_, i) => 2 * i + 1));
    const both = [
      ...(await other.pushesWithin('fast:2', 0)),
      ...(await other.pushesWithin('fast:3', 0)),
    ];
    expect(both.map((p) => p.data).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, n) => n),
    );
  });

  it('gives each SSE stream the cursor of its own channels, shared event or not', async () => {
    const headers = {};
    const solo = await RawSseClient.connect(`${http}/channels/sse?channel=fast:4`, headers);
    const pair = await RawSseClient.connect(
      `${http}/channels/sse?channel=fast:4&channel=fast:5`,
      headers,
    );
    open.push(solo.client, pair.client);
    const other = await channels.publish('fast:5', 'n', 0);
    const pushes = [];
    for (let n = 1; n <= 3; n++) pushes.push(await channels.publish('fast:4', 'n', n));
    const cursor = (id: string | undefined) =>
      JSON.parse(Buffer.from(id!, 'base64url').toString()) as Record<string, unknown>;
    const soloEvents = await solo.client.pushes(3);
    const pairEvents = (await pair.client.pushes(4)).slice(1);
    for (const [i, push] of pushes.entries()) {
      expect(soloEvents[i]!.json).toEqual(push);
      expect(pairEvents[i]!.json).toEqual(push);
      expect(cursor(soloEvents[i]!.id)).toEqual({ 'fast:4': [push.epoch, push.offset] });
      expect(cursor(pairEvents[i]!.id)).toEqual({
        'fast:4': [push.epoch, push.offset],
        'fast:5': [other.epoch, other.offset],
      });
    }
  });
});
