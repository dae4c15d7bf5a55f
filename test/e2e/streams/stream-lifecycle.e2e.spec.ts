import { Registry } from 'prom-client';
import { ChannelsEvents, type ChannelsEvent } from '../../../lib/index.js';
import { ChannelsMetricsModule } from '../../../lib/metrics/index.js';
import { startApp } from '../../support/app.js';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.js';
import { AUTH } from '../../support/token.guard.js';
import { waitFor } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { StreamLog, streamApp } from './stream.gateway.js';

// Every way a stream starts, resumes and ends is one lifecycle event and one metric.
describe('lifecycle events and metrics of streamed replies', () => {
  const log = new StreamLog();
  const registry = new Registry();
  const seen: ChannelsEvent[] = [];
  let app: Awaited<ReturnType<typeof startApp>>;
  const clients: TestClient[] = [];

  const connect = async () => {
    const { client } = await TestClient.connect(`${app.ws}/channels`, { headers: AUTH('alice') });
    clients.push(client);
    return client;
  };
  const endOf = (channel: string) =>
    seen.find((e) => e.type === 'stream.ended' && e.channel === channel);
  const metric = async (name: string, labels: Record<string, string>) =>
    sampleValue(parsePrometheusText(await registry.metrics()), name, labels);

  beforeAll(async () => {
    const metadata = streamApp(log, { streams: { idleMs: 300 } });
    app = await startApp({
      ...metadata,
      imports: [...metadata.imports, ChannelsMetricsModule.forRoot({ registry })],
    });
    const events = app.app.get(ChannelsEvents);
    for (const type of ['stream.started', 'stream.resumed', 'stream.ended'] as const)
      events.on(type, (e) => seen.push(e));
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await app.app.close();
  });

  it('reports started, resumed, and ended with each reason, and counts them', async () => {
    const client = await connect();
    // completed
    const done = (await client.request('count', { key: 'l-done', n: 3, ms: 0 })).stream;
    await waitFor(() => endOf(done.channel) !== undefined);
    expect(endOf(done.channel)).toMatchObject({ event: 'count', reason: 'completed', values: 3 });
    // failed
    const failed = (await client.request('fails')).stream.channel;
    await waitFor(() => endOf(failed) !== undefined);
    expect(endOf(failed)).toMatchObject({ event: 'fails', reason: 'failed', values: 2 });
    // unsubscribed
    const cut = (await client.request('ticks', { key: 'l-cut', n: 1_000, ms: 10 })).stream;
    await client.next((f) => f.channel === cut.channel && f.data === 2);
    await client.request('unsubscribe', { channel: cut.channel });
    await waitFor(() => endOf(cut.channel) !== undefined);
    expect(endOf(cut.channel)).toMatchObject({ event: 'ticks', reason: 'unsubscribed' });
    expect(log.torn('l-cut')).toBe(1);
    // resumed by another connection of the principal, from the first value
    const other = await connect();
    const since = { epoch: done.epoch, offset: 1 };
    const resumed = await other.request('subscribe', { channel: done.channel, since });
    expect(resumed.data).toMatchObject({ recovered: true });
    expect(resumed.data.missed.map((p: { data: unknown }) => p.data)).toEqual([2, 3, null]);
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'stream.resumed', channel: done.channel, recovered: true }),
    );
    // idle: its only listener went away
    const lonely = await connect();
    const quiet = (await lonely.request('count', { key: 'l-quiet', n: 1_000_000, ms: 20 })).stream;
    lonely.close();
    await waitFor(() => endOf(quiet.channel) !== undefined, 5_000, 'the idle end');
    expect(endOf(quiet.channel)).toMatchObject({ event: 'count', reason: 'idle' });
    expect(log.torn('l-quiet')).toBe(1);

    const started = seen.filter((e) => e.type === 'stream.started');
    expect(started.map((e) => e.type === 'stream.started' && e.event)).toEqual([
      'count',
      'fails',
      'ticks',
      'count',
    ]);
    expect(await metric('channels_streams_started_total', { event: 'count' })).toBe(2);
    expect(
      await metric('channels_streams_ended_total', { event: 'count', reason: 'completed' }),
    ).toBe(1);
    expect(await metric('channels_streams_ended_total', { event: 'fails', reason: 'failed' })).toBe(
      1,
    );
    expect(
      await metric('channels_streams_ended_total', { event: 'ticks', reason: 'unsubscribed' }),
    ).toBe(1);
    expect(await metric('channels_streams_ended_total', { event: 'count', reason: 'idle' })).toBe(
      1,
    );
    expect(await metric('channels_streams_resumed_total', { recovered: 'true' })).toBe(1);
    expect(await metric('channels_streams_active', {})).toBe(0);
  });
});
