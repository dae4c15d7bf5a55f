import { InMemoryBroadcastAdapter } from '../../../lib/index.js';
import { RecordingConnection } from '../../support/recording-connection.js';

/** An adapter whose broker calls wait until the test lets them finish, and are logged. */
class GatedAdapter extends InMemoryBroadcastAdapter {
  readonly calls: string[] = [];
  readonly errors: string[] = [];
  failNextIdle = false;
  private gates: Array<() => void> = [];
  private permits = 0;

  /** Lets the oldest waiting broker call finish (or the next one, when none waits yet). */
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

  protected override async onChannelActive(channel: string): Promise<void> {
    this.calls.push(`subscribe ${channel}`);
    await this.gate();
    this.calls.push(`subscribed ${channel}`);
  }

  protected override async onChannelIdle(channel: string): Promise<void> {
    this.calls.push(`unsubscribe ${channel}`);
    await this.gate();
    if (this.failNextIdle) {
      this.failNextIdle = false;
      throw new Error('broker said no');
    }
    this.calls.push(`unsubscribed ${channel}`);
  }

  protected override onDeactivateError(error: unknown, channel: string): void {
    super.onDeactivateError(error, channel);
    this.errors.push(`${channel}: ${String(error)}`);
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BroadcastAdapter: the broker seam', () => {
  it('makes a second subscriber wait for the activation the first one started', async () => {
    const adapter = new GatedAdapter();
    const [a, b] = [new RecordingConnection(), new RecordingConnection()];
    let bReady = false;
    const first = adapter.addLocal('room:1', a);
    const second = adapter.addLocal('room:1', b).then(() => (bReady = true));
    await tick();
    // The broker subscription does not exist yet: b must not go live.
    expect(bReady).toBe(false);
    expect(adapter.calls).toEqual(['subscribe room:1']);
    adapter.open();
    await Promise.all([first, second]);
    expect(bReady).toBe(true);
    expect(adapter.calls).toEqual(['subscribe room:1', 'subscribed room:1']);
  });

  it('refuses every waiting subscriber when the activation fails, and lets the next one retry', async () => {
    class FailingOnce extends InMemoryBroadcastAdapter {
      attempts = 0;
      protected override async onChannelActive(): Promise<void> {
        if (++this.attempts === 1) throw new Error('no broker');
      }
    }
    const adapter = new FailingOnce();
    const [a, b, c] = [
      new RecordingConnection(),
      new RecordingConnection(),
      new RecordingConnection(),
    ];
    const results = await Promise.allSettled([
      adapter.addLocal('room:1', a),
      adapter.addLocal('room:1', b),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(adapter.localSubscriberCount('room:1')).toBe(0);
    await adapter.addLocal('room:1', c);
    expect(adapter.attempts).toBe(2);
    expect(adapter.localSubscriberCount('room:1')).toBe(1);
  });

  it('runs the subscribe that follows an unsubscribe only after it', async () => {
    const adapter = new GatedAdapter();
    const [a, b] = [new RecordingConnection(), new RecordingConnection()];
    const first = adapter.addLocal('room:1', a);
    adapter.open();
    await first;
    adapter.removeLocal('room:1', a);
    const again = adapter.addLocal('room:1', b);
    await tick();
    expect(adapter.calls.slice(2)).toEqual(['unsubscribe room:1']);
    adapter.open();
    await tick();
    adapter.open();
    await again;
    expect(adapter.calls.slice(2)).toEqual([
      'unsubscribe room:1',
      'unsubscribed room:1',
      'subscribe room:1',
      'subscribed room:1',
    ]);
  });

  it('unsubscribes a channel whose last subscriber left during its activation, after it', async () => {
    const adapter = new GatedAdapter();
    const a = new RecordingConnection();
    const first = adapter.addLocal('room:1', a);
    await tick();
    adapter.removeLocal('room:1', a);
    adapter.open();
    await first;
    await tick();
    adapter.open();
    await adapter.settled();
    expect(adapter.calls).toEqual([
      'subscribe room:1',
      'subscribed room:1',
      'unsubscribe room:1',
      'unsubscribed room:1',
    ]);
  });

  it('reports a failed deactivation instead of swallowing it', async () => {
    const adapter = new GatedAdapter();
    const a = new RecordingConnection();
    const first = adapter.addLocal('room:1', a);
    adapter.open();
    await first;
    adapter.failNextIdle = true;
    adapter.removeLocal('room:1', a);
    await tick();
    adapter.open();
    await adapter.settled();
    expect(adapter.errors).toEqual(['room:1: Error: broker said no']);
    expect(adapter.deactivationFailures).toBe(1);
  });
});
