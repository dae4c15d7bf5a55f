import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { constants, deflateRawSync } from 'node:zlib';
import { ChannelsModule, ChannelsService, type ChannelsModuleOptions } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';
import { WireGateway } from './wire.gateway.js';

// A dashboard of about 5 KB that compresses well, like most JSON.
const dashboard = {
  rows: Array.from({ length: 120 }, (_, i) => ({
    id: `svc-${i}`,
    state: i % 7 ? 'up' : 'down',
    load: i,
  })),
};

function bytesRead(client: TestClient): number {
  return (client.socket as unknown as { _socket: Socket })._socket.bytesRead;
}

async function start(options: ChannelsModuleOptions) {
  const started = await startApp({
    imports: [ChannelsModule.forRoot({ path: '/channels', ...options })],
    providers: [WireGateway],
  });
  return { ...started, channels: started.app.get(ChannelsService), url: `${started.ws}/channels` };
}

describe('permessage-deflate', () => {
  const apps: INestApplication[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  async function connect(url: string, protocol = 'channels.v1') {
    const { client } = await TestClient.connect(url, {
      protocols: [protocol],
      perMessageDeflate: true,
    });
    clients.push(client);
    return client;
  }

  it('is off by default: a client that offers it gets plain frames', async () => {
    const server = await start({});
    apps.push(server.app);
    const client = await connect(server.url);
    expect(client.socket.extensions).toBe('');
  });

  it('compresses pushes past the threshold, once for all subscribers, on both encodings', async () => {
    const server = await start({ compression: { enabled: true, threshold: 256 } });
    apps.push(server.app);
    const json = await connect(server.url);
    const msgpack = await connect(server.url, 'channels.v1.msgpack');
    const negotiated = (
      json.socket as unknown as { _extensions: Record<string, { params: object }> }
    )._extensions['permessage-deflate']!.params;
    expect(negotiated).toMatchObject({
      server_no_context_takeover: true,
      client_no_context_takeover: true,
    });
    for (const client of [json, msgpack]) await client.request('subscribe', { channel: 'feed:d' });
    const before = [bytesRead(json), bytesRead(msgpack)];
    await server.channels.publish('feed:d', 'state', dashboard);
    const pushes = await Promise.all(
      [json, msgpack].map((c) => c.next((f) => f.channel === 'feed:d')),
    );
    expect(pushes.map((p) => p.data)).toEqual([dashboard, dashboard]);
    const onWire = [bytesRead(json) - before[0]!, bytesRead(msgpack) - before[1]!];
    const plain = Buffer.byteLength(JSON.stringify(pushes[0]));
    expect(plain).toBeGreaterThan(4_000);
    expect(onWire[0]).toBeLessThan(plain / 4);
    expect(onWire[1]).toBeLessThan(plain / 4);
    // A small reply stays plain: its bytes on the wire are its JSON text and a 2-byte header.
    const mark = bytesRead(json);
    const reply = await json.request('label', { label: 'x' });
    expect(bytesRead(json) - mark).toBe(Buffer.byteLength(JSON.stringify(reply)) + 2);
    // What a client sends compressed is read too.
    const big = randomBytes(600).toString('hex');
    json.socket.send(JSON.stringify({ id: 99, event: 'bytes.echo', data: { big } }), {
      compress: true,
    });
    expect((await json.next((f) => f.id === 99)).data.echo).toEqual({ big });
  });

  it('refuses a decompression bomb at limits.maxPayloadBytes, with bounded memory, and lives on', async () => {
    const maxPayloadBytes = 1024 * 1024;
    const server = await start({ compression: { enabled: true }, limits: { maxPayloadBytes } });
    apps.push(server.app);
    const client = await connect(server.url);
    // 400 MiB of zeros in about 400 KiB: 1 MiB deflated once, its sync-flushed block repeated.
    const block = deflateRawSync(Buffer.alloc(1024 * 1024), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const bomb = Buffer.concat(Array.from({ length: 400 }, () => block));
    expect(bomb.length).toBeLessThan(maxPayloadBytes);
    global.gc?.();
    const before = process.memoryUsage();
    const raw = (client.socket as unknown as { _socket: Socket })._socket;
    raw.write(maskedFrame(0xc1, bomb)); // FIN + RSV1 (compressed) + text
    expect((await client.closed).code).toBe(1009);
    const after = process.memoryUsage();
    const grown = Math.max(after.rss - before.rss, after.arrayBuffers - before.arrayBuffers);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    const next = await connect(server.url);
    expect((await next.request('label', { label: 'ok' })).data).toBe('label ok');
  });
});

// A client frame: masked, as RFC 6455 requires of clients.
function maskedFrame(first: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([first, 0x80 | length])
      : length < 65_536
        ? Buffer.from([first, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([first, 0x80 | 127, 0, 0, 0, 0]), uint32(length)]);
  const mask = randomBytes(4);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, mask, masked]);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
