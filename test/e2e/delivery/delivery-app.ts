import type { Socket } from 'node:net';
import { Registry } from 'prom-client';
import { WebSocket } from 'ws';
import {
  ChannelGateway,
  ChannelsEvents,
  ChannelsModule,
  ChannelsService,
  OnJoin,
  type ChannelsEvent,
  type ChannelsModuleOptions,
} from '../../../lib/index.js';
import { ChannelsClient, type TransportName } from '../../../lib/client/index.js';
import type { WebSocketConstructor } from '../../../lib/client/ws.client-transport.js';
import { ChannelsMetricsModule } from '../../../lib/metrics/index.js';
import { startApp } from '../../support/app.js';

/** One channel family per policy: declared on `@OnJoin`, or (gauge) in the options. */
@ChannelGateway()
export class DeliveryGateway {
  @OnJoin('ticker:{id}', { delivery: 'latest' })
  ticker() {
    return true;
  }

  @OnJoin('log:{id}', { delivery: 'drop' })
  log() {
    return true;
  }

  @OnJoin('chat:{id}')
  chat() {
    return true;
  }

  @OnJoin('gauge:{id}')
  gauge() {
    return true;
  }
}

/** The module options of the delivery specs: a small buffer limit, history for recovery. */
export const deliveryOptions = (maxBufferedBytes: number): ChannelsModuleOptions => ({
  path: '/channels',
  limits: { maxBufferedBytes },
  history: { size: 2_000 },
  delivery: { channels: { 'gauge:{id}': 'latest' } },
});

/** Starts the app; `events` keeps every lifecycle event of the given types. */
export async function startDeliveryApp(options: ChannelsModuleOptions) {
  const registry = new Registry();
  const { app, http, ws } = await startApp({
    imports: [
      ChannelsModule.forRoot(options),
      ChannelsMetricsModule.forRoot({ registry, enabled: true }),
    ],
    providers: [DeliveryGateway],
  });
  const seen: ChannelsEvent[] = [];
  const events = app.get(ChannelsEvents);
  for (const type of ['delivery.skipped', 'connection.slow'] as const)
    events.on(type, (e) => seen.push(e));
  const service = app.get(ChannelsService);
  return { app, http, ws: `${ws}/channels`, service, seen, metrics: () => registry.metrics() };
}

/**
 * A client whose reading can be stopped: on WebSocket its TCP socket is paused, on SSE the
 * event stream's body is no longer read (backpressure reaches the server's socket).
 */
export class PausableClient {
  readonly client: ChannelsClient;
  private paused = false;
  private release: () => void = () => undefined;
  private gate: Promise<void> = Promise.resolve();
  private sockets: Socket[] = [];

  constructor(url: string, transport: TransportName) {
    const sockets = this.sockets;
    const Recording = class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        this.once('open', () => sockets.push((this as unknown as { _socket: Socket })._socket));
      }
    } as unknown as WebSocketConstructor;
    this.client = new ChannelsClient({
      url,
      transports: [transport],
      WebSocket: Recording,
      fetch: (input, init) => this.fetch(input, init),
      connectTimeoutMs: 5_000,
      requestTimeoutMs: 10_000,
    });
  }

  /** Stops reading. */
  pause(): void {
    this.paused = true;
    this.gate = new Promise((resolve) => (this.release = resolve));
    for (const socket of this.sockets) socket.pause();
  }

  /** Reads again. */
  resume(): void {
    this.paused = false;
    this.release();
    for (const socket of this.sockets) socket.resume();
  }

  private async fetch(input: string, init?: RequestInit): Promise<Response> {
    const response = await fetch(input, init);
    const type = response.headers.get('content-type') ?? '';
    if (!response.body || !type.startsWith('text/event-stream')) return response;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>(
        {
          transform: async (chunk, controller) => {
            while (this.paused) await this.gate;
            controller.enqueue(chunk);
          },
        },
        { highWaterMark: 1 },
        { highWaterMark: 0 },
      ),
    );
    return new Response(body, { status: response.status, headers: response.headers });
  }
}
