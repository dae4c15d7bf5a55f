import {
  Connection,
  InMemoryBroadcastAdapter,
  type EncodedPush,
  type Handshake,
  type PushFrame,
} from '../../../lib/index.js';

/** A connection that records what the fan-out hands it. */
class RecordingConnection extends Connection {
  readonly transport = 'websocket' as const;
  readonly pushes: EncodedPush[] = [];
  close(): void {}
  heartbeat(): void {}
  protected writeText(): void {}
  protected writePush(push: EncodedPush): void {
    this.pushes.push(push);
  }
}

const handshake = { headers: {}, url: '/', query: {} } as unknown as Handshake;
const push = (channel: string, offset: number): PushFrame => ({
  channel,
  event: 'e',
  data: { offset },
  offset,
  epoch: 'ep',
});

describe('InMemoryBroadcastAdapter', () => {
  it('serializes a push once and hands the same bytes to every subscriber', async () => {
    const adapter = new InMemoryBroadcastAdapter();
    const [a, b, c] = [
      new RecordingConnection(handshake, undefined),
      new RecordingConnection(handshake, undefined),
      new RecordingConnection(handshake, undefined),
    ];
    await adapter.addLocal('room:1', a);
    await adapter.addLocal('room:1', b);
    await adapter.addLocal('room:2', c);
    await adapter.publish(push('room:1', 1));
    expect(a.pushes).toHaveLength(1);
    expect(b.pushes[0]).toBe(a.pushes[0]);
    expect(a.pushes[0]!.bytes.toString()).toBe(JSON.stringify(push('room:1', 1)));
    expect(c.pushes).toEqual([]);
  });

  it('skips the connections in except, and forgets a channel with its last subscriber', async () => {
    const adapter = new InMemoryBroadcastAdapter();
    const [a, b] = [
      new RecordingConnection(handshake, undefined),
      new RecordingConnection(handshake, undefined),
    ];
    await adapter.addLocal('room:1', a);
    await adapter.addLocal('room:1', b);
    await adapter.publish(push('room:1', 1), [a.id]);
    expect([a.pushes.length, b.pushes.length]).toEqual([0, 1]);
    adapter.removeLocal('room:1', a);
    adapter.removeLocal('room:1', b);
    expect(adapter.localChannels()).toEqual([]);
    expect(adapter.localSubscriberCount()).toBe(0);
  });
});
