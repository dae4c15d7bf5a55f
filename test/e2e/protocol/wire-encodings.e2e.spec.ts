import type { INestApplication } from '@nestjs/common';
import { WebSocket } from 'ws';
import {
  ChannelsClient,
  ChannelsError,
  type ChannelsClientOptions,
} from '../../../lib/client/index.js';
import { ChannelsModule, ChannelsService } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';
import { WireGateway } from './wire.gateway.js';
import { packFrame } from '../../../lib/protocol/msgpack.codec.js';

function nest(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const BYTES = Uint8Array.of(0, 1, 2, 127, 128, 255);

// The SDK's sockets, to see which subprotocol each one spoke.
const sockets: WebSocket[] = [];
class RecordedWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    sockets.push(this);
  }
}

// What an app sees of one scenario: pushes (with bytes), replies, an error, a recovery.
interface Transcript {
  transport: string | undefined;
  pushes: unknown[];
  echo: unknown;
  error: unknown;
  recovered: boolean | undefined;
}

// Byte arrays as a marked list of numbers, so that Buffer and Uint8Array compare equal.
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

describe('MessagePack and JSON: the same frames on both encodings and both transports', () => {
  let app: INestApplication;
  let ws: string;
  let http: string;
  let channels: ChannelsService;
  const clients: Array<ChannelsClient | TestClient> = [];

  beforeAll(async () => {
    ({ app, ws, http } = await startApp({
      imports: [ChannelsModule.forRoot({ path: '/channels' })],
      providers: [WireGateway],
    }));
    channels = app.get(ChannelsService);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  async function raw(protocol: string) {
    const { client, welcome } = await TestClient.connect(`${ws}/channels`, {
      protocols: [protocol],
    });
    clients.push(client);
    return { client, welcome };
  }

  async function scenario(
    options: Partial<ChannelsClientOptions>,
    channel: string,
  ): Promise<Transcript> {
    const client = new ChannelsClient({
      url: `${http}/channels`,
      WebSocket: RecordedWebSocket,
      random: () => 0,
      requestTimeoutMs: 5_000,
      ...options,
    });
    clients.push(client);
    const pushes: unknown[] = [];
    let arrived: () => void = () => undefined;
    await client.subscribe(channel, (data) => {
      pushes.push(plain(data));
      if (pushes.length === 5) arrived();
    });
    const all = new Promise<void>((resolve) => (arrived = resolve));
    await channels.publish(channel, 'n', { n: 1, text: 'é ü 😀' });
    await channels.publish(channel, 'n', { n: 2, blob: Buffer.from(BYTES) });
    await channels.publish(channel, 'n', { n: 3, nested: { list: [1, 'x', null, true, 2.5] } });
    const echo = plain(await client.request('bytes.echo', { bytes: BYTES, s: 'x' }));
    const error = await client.request('label', { label: '' }).catch((e: ChannelsError) => ({
      code: e.code,
      details: e.details,
    }));
    // The server drops the connection; what it publishes meanwhile is recovered.
    const recovered = new Promise<boolean | undefined>((resolve) =>
      client.on('subscribed', (info) => info.resubscribed && resolve(info.recovered)),
    );
    const away = new Promise<void>((resolve) =>
      client.on('state', ({ state }) => {
        if (state !== 'reconnecting') return;
        void channels.publish(channel, 'n', { n: 4, blob: Buffer.from([4]) });
        void channels.publish(channel, 'n', { n: 5 }).then(() => resolve());
      }),
    );
    channels.disconnect({ connectionId: client.connectionId! }, 1012, 'restart');
    await away;
    const transcript = {
      pushes,
      echo,
      error,
      recovered: await recovered,
      transport: client.transport,
    };
    await all;
    return transcript;
  }

  it('gives an app the same pushes, replies, errors and recovery on JSON, MessagePack and SSE', async () => {
    const json = await scenario({ transports: ['websocket'] }, 'feed:json');
    expect(sockets.splice(0).map((s) => s.protocol)).toEqual(['channels.v1', 'channels.v1']);
    const msgpack = await scenario(
      { transports: ['websocket'], encoding: 'msgpack' },
      'feed:msgpack',
    );
    expect(sockets.splice(0).map((s) => s.protocol)).toEqual([
      'channels.v1.msgpack',
      'channels.v1.msgpack',
    ]);
    const sse = await scenario({ transports: ['sse'], encoding: 'msgpack' }, 'feed:sse');
    expect(json.transport).toBe('websocket');
    expect(sse.transport).toBe('sse');
    expect(json.pushes).toEqual([
      { n: 1, text: 'é ü 😀' },
      { n: 2, blob: { bytes: Array.from(BYTES) } },
      { n: 3, nested: { list: [1, 'x', null, true, 2.5] } },
      { n: 4, blob: { bytes: [4] } },
      { n: 5 },
    ]);
    expect(json.echo).toEqual({
      echo: { bytes: { bytes: Array.from(BYTES) }, s: 'x' },
      handlerSawBytes: true,
    });
    expect(json.error).toEqual({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ property: 'label' })],
    });
    expect(json.recovered).toBe(true);
    expect({ ...msgpack, transport: 'websocket' }).toEqual(json);
    expect({ ...sse, transport: 'websocket' }).toEqual(json);
  });

  it('speaks MessagePack in binary messages only, from the welcome on, bytes as bin', async () => {
    const { client, welcome } = await raw('channels.v1.msgpack');
    expect(client.socket.protocol).toBe('channels.v1.msgpack');
    expect(welcome).toEqual({ event: 'connected', data: expect.objectContaining({ protocol: 1 }) });
    expect(await client.request('subscribe', { channel: 'feed:raw' })).toMatchObject({
      data: { channel: 'feed:raw', offset: 0, recovered: false },
    });
    await channels.publish('feed:raw', 'file', { blob: Buffer.from(BYTES) });
    const push = await client.next((f) => f.channel === 'feed:raw');
    expect(Buffer.isBuffer(push.data.blob)).toBe(true);
    expect([...push.data.blob]).toEqual([...BYTES]);
    const reply = await client.request('bytes.echo', { bytes: Buffer.from([7]) });
    expect(reply.data.handlerSawBytes).toBe(true);
    expect([...reply.data.echo.bytes]).toEqual([7]);
    expect(client.binaryMessages.every(Boolean)).toBe(true);
    expect(client.binaryMessages.length).toBeGreaterThanOrEqual(4);
  });

  it('sends a byte array to a JSON client as { $binary } and reads one back as bytes', async () => {
    const { client } = await raw('channels.v1');
    await client.request('subscribe', { channel: 'feed:text' });
    await channels.publish('feed:text', 'file', { blob: Buffer.from(BYTES) });
    const push = await client.next((f) => f.channel === 'feed:text');
    expect(push.data).toEqual({ blob: { $binary: Buffer.from(BYTES).toString('base64') } });
    const reply = await client.request('bytes.echo', { bytes: { $binary: 'BwgJ' } });
    expect(reply.data).toEqual({ echo: { bytes: { $binary: 'BwgJ' } }, handlerSawBytes: true });
    expect(client.binaryMessages.some(Boolean)).toBe(false);
  });

  it('refuses JSON text on a MessagePack connection, then closes it with 1003 if it persists', async () => {
    const { client } = await raw('channels.v1.msgpack');
    client.socket.send(JSON.stringify({ id: 1, event: 'label', data: { label: 'a' } }));
    expect(await client.next((f) => 'error' in f)).toEqual({
      error: expect.objectContaining({
        code: 'BAD_REQUEST',
        message: expect.stringContaining('MessagePack'),
      }),
    });
    // A good frame in between: the connection still works, and the count starts again.
    expect((await client.request('label', { label: 'a' })).data).toBe('label a');
    for (let i = 0; i < 3; i++) client.socket.send('{"event":"label"}');
    const errors = [];
    for (let i = 0; i < 3; i++) errors.push(await client.next((f) => 'error' in f));
    expect(errors.map((f) => f.error.code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST']);
    expect((await client.closed).code).toBe(1003);
  });

  it('refuses binary frames on a JSON connection the same way', async () => {
    const { client } = await raw('channels.v1');
    for (let i = 0; i < 3; i++) client.socket.send(Buffer.from([0x80]));
    const error = await client.next((f) => 'error' in f);
    expect(error.error).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('JSON'),
    });
    expect((await client.closed).code).toBe(1003);
  });

  it('answers bytes that are not MessagePack, or not a map, with BAD_REQUEST and stays open', async () => {
    const { client } = await raw('channels.v1.msgpack');
    client.socket.send(Buffer.from([0x81, 0xa1]));
    expect((await client.next((f) => 'error' in f)).error).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'The frame is not valid MessagePack.',
    });
    for (const bytes of [[0x93, 1, 2, 3], [0xc1], [0x80, 0x80]]) {
      client.socket.send(Buffer.from(bytes));
      expect((await client.next((f) => 'error' in f)).error.code).toBe('BAD_REQUEST');
    }
    expect((await client.request('label', { label: 'ok' })).data).toBe('label ok');
  });

  it('refuses MessagePack nested too deep before the handler: a decode failure, or past the bounds with its id', async () => {
    const { client } = await raw('channels.v1.msgpack');
    const depth = 30_000;
    // { id: 9, event: 'bytes.echo', data: [[[…]]] }, each level a one-element array.
    const head = Buffer.from([0x83, 0xa2, 0x69, 0x64, 0x09, 0xa5, ...Buffer.from('event'), 0xaa]);
    const frame = Buffer.concat([
      head,
      Buffer.from('bytes.echo'),
      Buffer.from([0xa4, ...Buffer.from('data')]),
      Buffer.alloc(depth, 0x91),
      Buffer.from([0x90]),
    ]);
    client.socket.send(frame);
    expect((await client.next((f) => 'error' in f)).error.code).toBe('BAD_REQUEST');
    client.socket.send(packFrame({ id: 10, event: 'bytes.echo', data: nest(40) }));
    const reply = await client.next((f) => f.id === 10);
    expect(reply.error).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await client.request('label', { label: 'ok' })).data).toBe('label ok');
  });
});
