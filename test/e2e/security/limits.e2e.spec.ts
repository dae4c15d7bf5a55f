import type { Socket } from 'node:net';
import { WsConnection } from '../../../lib/transports/ws.connection.js';
import { waitFor } from '../../support/wait.js';
import { useChannels } from './channels-app.js';
import { RawSocket } from './raw-socket.js';

const MAX_BUFFERED = 256 * 1024;

/** A command frame of exactly `bytes` bytes of JSON. */
function commandOfSize(bytes: number): string {
  const empty = JSON.stringify({ id: 1, event: 'echo', data: '' });
  return JSON.stringify({ id: 1, event: 'echo', data: 'x'.repeat(bytes - empty.length) });
}

describe('security: size and resource limits', () => {
  // limits.maxPayloadBytes is left at its default (64 KiB).
  const channels = useChannels({
    limits: { maxSubscriptionsPerConnection: 3, maxBufferedBytes: MAX_BUFFERED },
  });

  describe('inbound frames', () => {
    it('accepts a 64 KiB frame and closes with 1009 on one byte more', async () => {
      const { client } = await channels.connect();
      client.send(commandOfSize(64 * 1024));
      expect((await client.next((f) => f.id === 1)).data).toHaveLength(64 * 1024 - 33);
      client.send(commandOfSize(64 * 1024 + 1));
      expect((await client.closed).code).toBe(1009);
    });

    it('counts fragments together: a fragmented message over 64 KiB closes with 1009', async () => {
      const { client } = await channels.connect();
      for (let n = 0; n < 4; n++) client.socket.send('x'.repeat(16 * 1024), { fin: false });
      client.socket.send('x', { fin: true });
      expect((await client.closed).code).toBe(1009);
    });

    it('closes a flood of empty fragments with 1008 before it grows', async () => {
      await channels.connect();
      const raw = await RawSocket.open(channels.url);
      raw.frame(0x1, Buffer.alloc(0), { fin: false });
      for (let n = 0; n < 16 * 1024 + 1; n++) raw.frame(0x0, Buffer.alloc(0), { fin: false });
      expect((await raw.closed).code).toBe(1008);
    });

    it('never negotiates permessage-deflate (no decompression bombs), and refuses compressed frames with 1002', async () => {
      const { client } = await channels.connect({ perMessageDeflate: true });
      expect(client.socket.extensions).toBe('');
      const raw = await RawSocket.open(channels.url);
      raw.frame(0x1, Buffer.from('{"event":"echo"}'), { rsv1: true });
      expect((await raw.closed).code).toBe(1002);
    });

    it.each([
      [
        'invalid UTF-8 text',
        (raw: RawSocket) => raw.frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
        1007,
      ],
      [
        'an unmasked frame',
        (raw: RawSocket) => raw.frame(0x1, Buffer.from('{"event":"echo"}'), { masked: false }),
        1002,
      ],
      ['a reserved opcode', (raw: RawSocket) => raw.frame(0x3, Buffer.from('x')), 1002],
    ])('closes on %s, and the server goes on', async (_name, send, code) => {
      const raw = await RawSocket.open(channels.url);
      send(raw);
      expect((await raw.closed).code).toBe(code);
      const { client } = await channels.connect();
      expect(await client.request('echo', 'still up')).toEqual({ id: 1, data: 'still up' });
    });

    it('answers crafted commands with error frames, never crashing', async () => {
      const { client } = await channels.connect();
      client.socket.send(Buffer.from('{"event":"echo"}'), { binary: true });
      expect((await client.next()).error.code).toBe('BAD_REQUEST');
      client.send('{"id":1e400,"event":"echo"}');
      expect((await client.next()).error).toEqual({
        code: 'BAD_REQUEST',
        message: '"id" must be a positive integer.',
      });
      const depth = 30_000;
      client.send(`{"id":2,"event":"echo","data":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      // Nesting deep enough to overflow a recursive walk is refused before parsing, id kept.
      expect(await client.next()).toEqual({
        id: 2,
        error: { code: 'BAD_REQUEST', message: 'The frame is nested deeper than 32 levels.' },
      });
      const thrown = await client.request('throws');
      expect(thrown.error).toEqual({ code: 'INTERNAL', message: 'Internal error.' });
      expect(JSON.stringify(thrown)).not.toContain('secret');
      expect(await client.request('echo', 'alive')).toMatchObject({ data: 'alive' });
    });
  });

  describe('subscriptions', () => {
    it('holds at most maxSubscriptionsPerConnection', async () => {
      const { client } = await channels.connect();
      for (const room of ['a', 'b', 'c'])
        expect((await client.request('subscribe', { channel: `room:${room}` })).data).toBeDefined();
      const over = await client.request('subscribe', { channel: 'room:d' });
      expect(over.error).toEqual({
        code: 'BAD_REQUEST',
        message: 'A connection may hold at most 3 subscriptions.',
      });
      expect((await client.request('subscribe', { channel: 'room:a' })).data.channel).toBe(
        'room:a',
      );
      await client.request('unsubscribe', { channel: 'room:b' });
      expect((await client.request('subscribe', { channel: 'room:d' })).data.channel).toBe(
        'room:d',
      );
    });
  });

  describe('slow consumers', () => {
    it('cuts off a paused reader with 4008 with its buffer bounded, while the others receive everything in order', async () => {
      const readers = await Promise.all([0, 1, 2].map(() => channels.connect()));
      const paused = await channels.connect();
      for (const { client } of [...readers, paused])
        await client.request('subscribe', { channel: 'room:stream' });
      const connection = channels.service.getConnection(
        paused.welcome.data.connectionId,
      ) as WsConnection;
      const pausedSocket = (paused.client.socket as unknown as { _socket: Socket })._socket;
      pausedSocket.pause();

      const text = 'x'.repeat(4096);
      const total = 2_000;
      let maxBuffered = 0;
      let resumed = false;
      for (let n = 1; n <= total; n++) {
        await channels.service.publish('room:stream', 'chunk', { n, text });
        maxBuffered = Math.max(maxBuffered, connection.bufferedBytes);
        // Past the limit, the next write closes it: read again so the close frame can be seen.
        if (!resumed && connection.bufferedBytes > MAX_BUFFERED) {
          await channels.service.publish('room:stream', 'chunk', { n: 0, text: 'after the limit' });
          pausedSocket.resume();
          resumed = true;
        }
        if (n % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      expect(resumed).toBe(true);
      expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED + 4096 + 200);
      expect(await paused.client.closed).toEqual({ code: 4008, reason: 'slow consumer' });
      await waitFor(() => channels.service.getConnection(connection.id) === undefined);

      await waitFor(
        () =>
          readers.every(
            ({ client }) =>
              client.frames.filter((f) => f.channel === 'room:stream').length === total + 1,
          ),
        15_000,
        'every reader to receive the whole stream',
      );
      for (const { client } of readers) {
        const pushes = client.frames.filter((f) => f.channel === 'room:stream');
        const offsets = pushes.map((push) => push.offset);
        expect(offsets).toEqual(offsets.map((_, i) => offsets[0] + i));
      }
    });
  });
});
