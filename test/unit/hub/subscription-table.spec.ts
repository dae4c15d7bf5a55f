import { InMemoryBroker, type PushFrame } from '../../../lib/index.js';
import { ChannelsEvents } from '../../../lib/connection/channels.events.js';
import { SubscriptionTable } from '../../../lib/hub/subscription.table.js';
import { RecordingConnection } from '../../support/recording-connection.js';

/** A broker whose subscribe / unsubscribe wait until the test lets them finish, and are logged. */
class GatedBroker extends InMemoryBroker {
  readonly calls: string[] = [];
  failNextUnsubscribe = false;
  failSubscribes = 0;
  private gates: Array<() => void> = [];
  private permits = 0;

  /** Lets the oldest waiting call finish (or the next one, when none waits yet). */
  open(): void {
    const gate = this.gates.shift();
    if (gate) gate();
    else this.permits++;
  }

  private gate(): Promise<void> {
    if (this.permits > 0) {
      this.permits--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.gates.push(resolve));
  }

  override async subscribe(channel: string): Promise<void> {
    if (this.failSubscribes > 0) {
      this.failSubscribes--;
      throw new Error('no broker');
    }
    this.calls.push(`subscribe ${channel}`);
    await this.gate();
    this.calls.push(`subscribed ${channel}`);
  }

  override async unsubscribe(channel: string): Promise<void> {
    this.calls.push(`unsubscribe ${channel}`);
    await this.gate();
    if (this.failNextUnsubscribe) {
      this.failNextUnsubscribe = false;
      throw new Error('broker said no');
    }
    this.calls.push(`unsubscribed ${channel}`);
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const push = (channel: string, offset: number): PushFrame => ({
  channel,
  event: 'e',
  data: { offset },
  offset,
  epoch: 'ep',
});

function setUp(broker = new GatedBroker()) {
  const events = new ChannelsEvents();
  const errors: string[] = [];
  events.on('broker.error', (e) => errors.push(`${e.operation}: ${String(e.error)}`));
  return { broker, events, errors, table: new SubscriptionTable(broker, events) };
}

describe('SubscriptionTable: the fan-out', () => {
  it('serializes a push once and hands the same bytes to every live subscriber', async () => {
    const { broker, table } = setUp();
    broker.open();
    broker.open();
    const [a, b, c] = [
      new RecordingConnection(),
      new RecordingConnection(),
      new RecordingConnection(),
    ];
    for (const [connection, channel] of [
      [a, 'room:1'],
      [b, 'room:1'],
      [c, 'room:2'],
    ] as const) {
      const { state } = await table.add(connection, channel);
      table.goLive(state, { epoch: 'ep', offset: 0 });
    }
    expect(table.fanOut(push('room:1', 1))).toEqual({ delivered: 2, sse: 0 });
    expect(a.pushes).toHaveLength(1);
    expect(b.pushes[0]).toBe(a.pushes[0]);
    expect(a.pushes[0]!.bytes.toString()).toBe(JSON.stringify(push('room:1', 1)));
    expect(c.pushes).toEqual([]);
    expect([...a.subscriptions]).toEqual(['room:1']);
    expect(a.subscriptionStates.get('room:1')).toMatchObject({ epoch: 'ep', offset: 1 });
  });

  it('writes the connections in except a position frame instead, and forgets a channel with its last subscriber', async () => {
    const { broker, table } = setUp();
    broker.open();
    const [a, b] = [new RecordingConnection(), new RecordingConnection()];
    for (const connection of [a, b]) {
      const { state } = await table.add(connection, 'room:1');
      table.goLive(state, { epoch: 'ep', offset: 0 });
    }
    expect(table.fanOut(push('room:1', 1), [a.id])).toEqual({ delivered: 1, sse: 0 });
    expect(a.pushes.map((p) => p.json)).toEqual(['{"channel":"room:1","offset":1,"epoch":"ep"}']);
    expect(b.pushes.map((p) => p.frame)).toEqual([push('room:1', 1)]);
    expect(a.subscriptionStates.get('room:1')).toMatchObject({ epoch: 'ep', offset: 1 });
    table.remove(a, 'room:1');
    table.remove(b, 'room:1');
    expect(table.channels()).toEqual([]);
    expect(table.subscriberCount()).toBe(0);
    expect(a.subscriptions.size).toBe(0);
  });

  it('holds the position frame of an excluded subscriber in order with the pushes', async () => {
    const { broker, table } = setUp();
    broker.open();
    const a = new RecordingConnection();
    const { state } = await table.add(a, 'room:1');
    table.fanOut(push('room:1', 4), [a.id]);
    table.fanOut(push('room:1', 5));
    expect(a.pushes).toEqual([]);
    table.goLive(state, { epoch: 'ep', offset: 3 });
    expect(a.pushes.map((p) => 'event' in p.frame)).toEqual([false, true]);
    expect(a.offsets()).toEqual([4, 5]);
  });

  it('holds pushes during a subscribe and writes only those after its position', async () => {
    const { broker, table } = setUp();
    broker.open();
    const a = new RecordingConnection();
    const { state } = await table.add(a, 'room:1');
    table.fanOut(push('room:1', 3));
    table.fanOut(push('room:1', 4));
    expect(a.pushes).toEqual([]);
    table.goLive(state, { epoch: 'ep', offset: 3 });
    expect(a.offsets()).toEqual([4]);
  });
});

describe('SubscriptionTable: the broker seam', () => {
  it('makes a second subscriber wait for the activation the first one started', async () => {
    const { broker, table } = setUp();
    const [a, b] = [new RecordingConnection(), new RecordingConnection()];
    let bReady = false;
    const first = table.add(a, 'room:1');
    const second = table.add(b, 'room:1').then(() => (bReady = true));
    await tick();
    // The broker subscription does not exist yet: b must not go live.
    expect(bReady).toBe(false);
    expect(broker.calls).toEqual(['subscribe room:1']);
    broker.open();
    await Promise.all([first, second]);
    expect(bReady).toBe(true);
    expect(broker.calls).toEqual(['subscribe room:1', 'subscribed room:1']);
  });

  it('refuses every waiting subscriber when the activation fails, and lets the next one retry', async () => {
    const { broker, table } = setUp();
    broker.failSubscribes = 1;
    const [a, b, c] = [
      new RecordingConnection(),
      new RecordingConnection(),
      new RecordingConnection(),
    ];
    const results = await Promise.allSettled([table.add(a, 'room:1'), table.add(b, 'room:1')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(table.subscriberCount('room:1')).toBe(0);
    expect(table.subscriberCount()).toBe(0);
    expect(a.subscriptions.size).toBe(0);
    broker.open();
    await table.add(c, 'room:1');
    expect(table.subscriberCount('room:1')).toBe(1);
  });

  it('makes a subscribe again of the same channel wait for the pending activation, and share its failure', async () => {
    const { broker, table } = setUp();
    broker.failSubscribes = 1;
    const a = new RecordingConnection();
    const results = await Promise.allSettled([table.add(a, 'room:1'), table.add(a, 'room:1')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(a.subscriptions.has('room:1')).toBe(false);
  });

  it('runs the subscribe that follows an unsubscribe only after it', async () => {
    const { broker, table } = setUp();
    const [a, b] = [new RecordingConnection(), new RecordingConnection()];
    const first = table.add(a, 'room:1');
    broker.open();
    await first;
    table.remove(a, 'room:1');
    const again = table.add(b, 'room:1');
    await tick();
    expect(broker.calls.slice(2)).toEqual(['unsubscribe room:1']);
    broker.open();
    await tick();
    broker.open();
    await again;
    expect(broker.calls.slice(2)).toEqual([
      'unsubscribe room:1',
      'unsubscribed room:1',
      'subscribe room:1',
      'subscribed room:1',
    ]);
  });

  it('unsubscribes a channel whose last subscriber left during its activation, after it', async () => {
    const { broker, table } = setUp();
    const a = new RecordingConnection();
    const first = table.add(a, 'room:1');
    await tick();
    table.remove(a, 'room:1');
    broker.open();
    await first;
    await tick();
    broker.open();
    await table.settled();
    expect(broker.calls).toEqual([
      'subscribe room:1',
      'subscribed room:1',
      'unsubscribe room:1',
      'unsubscribed room:1',
    ]);
  });

  it('reports a failed deactivation as a broker error instead of swallowing it', async () => {
    const { broker, table, errors } = setUp();
    const a = new RecordingConnection();
    const first = table.add(a, 'room:1');
    broker.open();
    await first;
    broker.failNextUnsubscribe = true;
    table.remove(a, 'room:1');
    await tick();
    broker.open();
    await table.settled();
    expect(errors).toEqual(['unsubscribe: Error: broker said no']);
  });
});
