import { Body, Controller, Module, Post, type INestApplication } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  OnJoin,
  OnMessage,
} from '../../../lib/index.js';
import { ChannelsTracingModule } from '../../../lib/tracing/index.js';
import { startApp } from '../../support/app.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const appTracer = provider.getTracer('the-app');

@ChannelGateway()
class RoomGateway {
  @OnJoin('room:{id}')
  join(): boolean {
    return true;
  }

  @OnMessage('echo')
  echo(data: unknown): unknown {
    return data;
  }
}

/** `POST /notify`: the app's own span (as its HTTP instrumentation would make), then a publish. */
@Controller('notify')
class NotifyController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  notify(@Body() body: { channel: string; text: string }) {
    return appTracer.startActiveSpan('POST /notify', async (span) => {
      try {
        const push = await this.channels.publish(body.channel, 'notice', { text: body.text });
        return { offset: push.offset };
      } finally {
        span.end();
      }
    });
  }
}

describe('OpenTelemetry tracing (ChannelsTracingModule)', () => {
  let redis: RedisServer;
  const nodes: Array<{ app: INestApplication; ws: string; http: string }> = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    redis = await startRedisServer();
    for (let i = 0; i < 2; i++) {
      @Module({
        imports: [
          ChannelsModule.forRoot({ stores: { redis: { url: redis.url } } }),
          ChannelsTracingModule.forRoot({ tracerProvider: provider }),
        ],
        controllers: [NotifyController],
        providers: [RoomGateway],
      })
      class NodeModule {}
      nodes.push(await startApp({ imports: [NodeModule] }));
    }
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    for (const node of nodes) await node.app.close();
    await redis?.stop();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  const spans = (name: string): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((span) => span.name === name);

  async function subscriberOn(node: { ws: string }, channel: string): Promise<TestClient> {
    const { client } = await TestClient.connect(`${node.ws}/channels`);
    clients.push(client);
    expect(await client.request('subscribe', { channel })).toMatchObject({ data: { channel } });
    return client;
  }

  it('traces one POST that publishes: the publish under the request, one delivery per node in its trace', async () => {
    const onA = await subscriberOn(nodes[0]!, 'room:t');
    const onB = await subscriberOn(nodes[1]!, 'room:t');
    const alsoOnB = await subscriberOn(nodes[1]!, 'room:t');
    exporter.reset();

    const response = await fetch(`${nodes[0]!.http}/notify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'room:t', text: 'traced' }),
    });
    expect(response.status).toBe(201);
    for (const client of [onA, onB, alsoOnB])
      expect(await client.next((f) => f.channel === 'room:t')).toMatchObject({
        data: { text: 'traced' },
      });
    await waitFor(() => spans('channels.deliver').length >= 2);

    const [request] = spans('POST /notify');
    const [publish] = spans('channels.publish');
    expect(publish!.spanContext().traceId).toBe(request!.spanContext().traceId);
    expect(publish!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(publish!.attributes).toMatchObject({
      'channels.channel': 'room:t',
      'channels.event': 'notice',
      'channels.offset': 1,
    });

    // One delivery span per node (never per connection), each a child of the publish.
    const deliveries = spans('channels.deliver');
    expect(deliveries).toHaveLength(2);
    for (const delivery of deliveries) {
      expect(delivery.spanContext().traceId).toBe(publish!.spanContext().traceId);
      expect(delivery.parentSpanContext?.spanId).toBe(publish!.spanContext().spanId);
    }
    const byNode = Object.fromEntries(
      deliveries.map((d) => [
        String(d.attributes['channels.node']),
        d.attributes['channels.delivered'],
      ]),
    );
    expect(Object.values(byNode).sort()).toEqual([1, 2]);
    expect(new Set(Object.keys(byNode)).size).toBe(2);
  });

  it('traces commands with their event, channel and result, and handshakes with theirs', async () => {
    const { client } = await TestClient.connect(`${nodes[1]!.ws}/channels`);
    clients.push(client);
    await client.request('subscribe', { channel: 'room:c' });
    await client.request('nope', {});
    await expect(
      TestClient.open(`${nodes[1]!.ws}/channels`, { headers: { Origin: 'https://evil.example' } }),
    ).rejects.toThrow('HTTP 403');
    await waitFor(
      () => spans('channels.command').length >= 2 && spans('channels.handshake').length >= 2,
    );

    const commands = spans('channels.command').map((s) => s.attributes);
    expect(commands).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          'channels.event': 'subscribe',
          'channels.channel': 'room:c',
          'channels.result': 'ok',
          'channels.transport': 'websocket',
        }),
        expect.objectContaining({ 'channels.event': 'nope', 'channels.result': 'UNKNOWN_EVENT' }),
      ]),
    );
    const failed = spans('channels.command').find(
      (s) => s.attributes['channels.event'] === 'nope',
    )!;
    expect(failed.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(
      spans('channels.handshake')
        .map((s) => s.attributes['channels.result'])
        .sort(),
    ).toEqual(['FORBIDDEN', 'ok']);
  });

  it('carries no trace context when the module is not imported: deliveries are not traced, nothing breaks', async () => {
    const plain = await startApp({
      imports: [ChannelsModule.forRoot()],
      controllers: [NotifyController],
      providers: [RoomGateway],
    });
    try {
      const { client } = await TestClient.connect(`${plain.ws}/channels`);
      clients.push(client);
      await client.request('subscribe', { channel: 'room:p' });
      await fetch(`${plain.http}/notify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: 'room:p', text: 'plain' }),
      });
      expect(await client.next((f) => f.channel === 'room:p')).toMatchObject({
        data: { text: 'plain' },
      });
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['POST /notify']);
    } finally {
      await plain.app.close();
    }
  });
});
