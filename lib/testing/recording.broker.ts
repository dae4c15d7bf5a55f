import { InMemoryBroker } from '../brokers/in-memory.broker.js';
import type { TraceCarrier } from '../brokers/broker.message.js';
import type { PushFrame } from '../protocol/frames.js';

/**
 * One publish, as the broker got it.
 * @example { channel: 'user:42', event: 'notification', data: { id: 'n1' }, offset: 1, epoch: 'k3J9', except: [] }
 */
export interface RecordedPush extends PushFrame {
  /** Connection ids the push was not to reach (`PublishOptions.except`). */
  except: readonly string[];
}

/**
 * A broker that records what was published, to which channel, and still delivers it on this
 * node (it is the in-memory broker, recording). It keeps history in its own
 * `InMemoryHistoryStore` unless given one: `stores: { broker: (history) => new RecordingBroker(history) }`
 * makes it use the module's (with the `history` settings). For tests of services that
 * publish: no client needs to be connected.
 *
 * @example
 * const recorder = new RecordingBroker();
 * const moduleRef = await Test.createTestingModule({
 *   imports: [ChannelsModule.forRoot({ transports: false, stores: { broker: recorder } })],
 *   providers: [NotificationsService],
 * }).compile();
 * await moduleRef.init();
 * await moduleRef.get(NotificationsService).notify('42', 'Hello');
 * expect(recorder.publishedTo('user:42')).toMatchObject([{ event: 'notification', data: { text: 'Hello' } }]);
 */
export class RecordingBroker extends InMemoryBroker {
  /** Every push published, oldest first. */
  readonly published: RecordedPush[] = [];

  override async publish(
    channel: string,
    event: string,
    data: unknown,
    except: readonly string[] = [],
    trace?: TraceCarrier,
  ): Promise<PushFrame> {
    const push = await super.publish(channel, event, data, except, trace);
    this.published.push({ ...push, except: [...except] });
    return push;
  }

  /** The pushes published to one channel, oldest first. */
  publishedTo(channel: string): RecordedPush[] {
    return this.published.filter((push) => push.channel === channel);
  }

  /** Forgets what was recorded. */
  clear(): void {
    this.published.length = 0;
  }
}
