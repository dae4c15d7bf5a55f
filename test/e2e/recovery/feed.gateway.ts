import { ChannelGateway, OnJoin } from '../../../lib/index.js';

/** Anyone may connect; `feed:*` channels are open, `locked:*` ones never. */
@ChannelGateway()
export class FeedGateway {
  @OnJoin('feed:{id}')
  canJoinFeed() {
    return true;
  }

  @OnJoin('locked:{id}')
  canJoinLocked() {
    return false;
  }
}

/** Offsets `from` to `to`, inclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
