import type { PushFrame } from '../protocol/frames.js';
import { BroadcastAdapter } from './broadcast.adapter.js';

/**
 * The default adapter: one node, no broker. A push goes straight to the local fan-out.
 * @example ChannelsModule.forRoot({ adapter: () => new InMemoryBroadcastAdapter() }) // the default
 */
export class InMemoryBroadcastAdapter extends BroadcastAdapter {
  async publish(push: PushFrame, except?: readonly string[]): Promise<void> {
    this.fanOut(push, except);
  }
}
