import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  OnJoin,
  type ChannelsModuleOptions,
} from '../../../lib/index.js';
import { ChannelsClient, type ClientEncoding } from '../../../lib/client/index.js';
import type { WebSocketConstructor } from '../../../lib/client/ws.client-transport.js';
import { startApp } from '../../support/app.js';

/**
 * `status:{id}` allows deltas (and keeps the latest push for a reader behind), `feed:{id}` too
 * (and drops pushes for a reader behind, then sends a gap); `plain:{id}` allows none.
 */
@ChannelGateway()
export class DeltaGateway {
  @OnJoin('status:{id}', { delta: true, delivery: 'latest' })
  status() {
    return true;
  }

  @OnJoin('feed:{id}', { delta: true, delivery: 'drop' })
  feed() {
    return true;
  }

  @OnJoin('plain:{id}')
  plain() {
    return true;
  }
}

/**
 * An app with a small buffer limit (a paused reader falls behind soon) and history; `stores`
 * (Redis) for two nodes.
 */
export async function startDeltaApp(stores?: ChannelsModuleOptions['stores']) {
  const { app, http, ws } = await startApp({
    imports: [
      ChannelsModule.forRoot({
        path: '/channels',
        limits: { maxBufferedBytes: 64 * 1024 },
        history: { size: 4_000 },
        stores,
      }),
    ],
    providers: [DeltaGateway],
  });
  return { app, http, ws: `${ws}/channels`, service: app.get(ChannelsService) };
}

/** A dashboard of 50 widgets, about 5 kB of JSON; `tick` changes 5% of it (2-3 widgets). */
export class Dashboard {
  private state = 1;
  readonly widgets = Array.from({ length: 50 }, (_, i) => ({
    id: `widget-${i}`,
    label: `Requests per second on node ${i}`,
    value: i * 10,
    trend: this.word(40),
  }));

  /** The next dashboard (a copy), with about 5% of it changed. */
  tick(): { widgets: Dashboard['widgets'] } {
    for (let k = 0; k < 3; k++) {
      const widget = this.widgets[Math.floor(this.next() * this.widgets.length)]!;
      widget.value = Math.floor(this.next() * 1e6);
      widget.trend = this.word(40);
    }
    return structuredClone({ widgets: this.widgets });
  }

  /** The dashboard with every trend new (40% of it). */
  replaceAll(): { widgets: Dashboard['widgets'] } {
    for (const widget of this.widgets) widget.trend = this.word(40);
    return structuredClone({ widgets: this.widgets });
  }

  /** 5 kB of random text: nothing in common with what came before, its delta is no smaller. */
  noise(): { noise: string } {
    return { noise: this.word(5_000) };
  }

  private next(): number {
    this.state = (this.state * 1103515245 + 12345) & 0x7fffffff;
    return this.state / 0x7fffffff;
  }

  private word(length: number): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length }, () => letters[Math.floor(this.next() * 36)]).join('');
  }
}

/**
 * An SDK client on a recording WebSocket: the bytes and messages it received, and its TCP
 * socket (to pause reading, or to cut the connection).
 */
export class RecordedClient {
  readonly client: ChannelsClient;
  /** Bytes of every message received (the WebSocket payloads). */
  bytes = 0;
  /** Every message received, per connection: text (JSON) or bytes (MessagePack). */
  readonly messages: Array<Array<string | Buffer>> = [];
  socket: Socket | undefined;

  constructor(url: string, encoding: ClientEncoding) {
    const record = (
      received: Array<string | Buffer>,
      data: Buffer | ArrayBuffer,
      isBinary: boolean,
    ) => {
      this.bytes += data.byteLength;
      received.push(isBinary ? Buffer.from(new Uint8Array(data)) : data.toString());
    };
    const opened = (socket: Socket) => (this.socket = socket);
    const messages = this.messages;
    const Recording = class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        const received: Array<string | Buffer> = [];
        messages.push(received);
        this.once('open', () => opened((this as unknown as { _socket: Socket })._socket));
        this.on('message', (data: Buffer | ArrayBuffer, isBinary: boolean) =>
          record(received, data, isBinary),
        );
      }
    } as unknown as WebSocketConstructor;
    this.client = new ChannelsClient({
      url,
      transports: ['websocket'],
      WebSocket: Recording,
      encoding,
      backoff: { initialMs: 50, maxMs: 200 },
      requestTimeoutMs: 10_000,
    });
  }
}
