// docs/broker.md: a broker over an in-process bus, for nodes that share one process (workers of
// a test, a desktop app). It runs the module's broker contract suite (test/contract/).
import { EventEmitter } from 'node:events';
import { PubSubBroker, type HistoryStore } from 'nestjs-channels';

/**
 * The bus every node of one process shares: topic -> envelopes, plus who listens to which
 * channel (a real bus routes by topic itself).
 */
export class InProcessBus extends EventEmitter {
  readonly listening = new Map<string, Set<InProcessBusBroker>>();
}

/**
 * One node on an {@link InProcessBus}. The shared {@link HistoryStore} sequences every push
 * (its `append` is atomic in one process), the bus carries the envelopes.
 */
export class InProcessBusBroker extends PubSubBroker {
  private readonly onControl = (envelope: string) => this.receive(undefined, envelope);

  constructor(
    private readonly bus: InProcessBus,
    store: HistoryStore,
  ) {
    super(store);
  }

  override async start(): Promise<void> {
    await super.start();
    this.bus.on('control', this.onControl);
  }

  override async close(): Promise<void> {
    this.bus.off('control', this.onControl);
    for (const nodes of this.bus.listening.values()) nodes.delete(this);
    // The store is shared by every node: the test that made it closes it.
  }

  override async subscribe(channel: string): Promise<void> {
    let nodes = this.bus.listening.get(channel);
    if (!nodes) this.bus.listening.set(channel, (nodes = new Set()));
    nodes.add(this);
  }

  override async unsubscribe(channel: string): Promise<void> {
    this.bus.listening.get(channel)?.delete(this);
  }

  protected async send(channel: string, envelope: string): Promise<void> {
    for (const node of this.bus.listening.get(channel) ?? []) node.receive(channel, envelope);
  }

  protected async sendControl(envelope: string): Promise<number | undefined> {
    this.bus.emit('control', envelope);
    return this.bus.listenerCount('control');
  }
}
