import { InMemoryBroadcastAdapter } from '../brokers/in-memory.broadcast-adapter.js';
import type { PushFrame } from '../protocol/frames.js';

/**
 * One publish, as the broadcast adapter got it.
 * @example { channel: 'user:42', event: 'notification', data: { id: 'n1' }, offset: 1, epoch: 'k3J9', except: [] }
 */
export interface RecordedPush extends PushFrame {
  /** Connection ids the push was not to reach (`PublishOptions.except`). */
  except: readonly string[];
}

/**
 * A broadcast adapter that records what was published, to which channel, and still delivers
 * it on this node (it is the in-memory adapter, recording). For tests of services that
 * publish: no client needs to be connected.
 *
 * @example
 * const recorder = new RecordingBroadcastAdapter();
 * const moduleRef = await Test.createTestingModule({
 *   imports: [ChannelsModule.forRoot({ transports: false, stores: { adapter: recorder } })],
 *   providers: [NotificationsService],
 * }).compile();
 * await moduleRef.init();
 * await moduleRef.get(NotificationsService).notify('42', 'Hello');
 * expect(recorder.publishedTo('user:42')).toMatchObject([{ event: 'notification', data: { text: 'Hello' } }]);
 */
export class RecordingBroadcastAdapter extends InMemoryBroadcastAdapter {
  /** Every push published, oldest first. */
  readonly published: RecordedPush[] = [];

  override async publish(push: PushFrame, except: readonly string[] = []): Promise<void> {
    this.published.push({ ...push, except: [...except] });
    await super.publish(push, except);
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
