import type { ChannelsEvents } from '../connection/channels.events.js';
import type { Connection } from '../connection/connection.js';
import type { SubscriptionState } from '../connection/subscription.state.js';
import type { GapFrame } from '../protocol/delivery-policy.js';
import { encodePush, type EncodedPush } from '../protocol/push.encoder.js';

/**
 * What a connection that is behind gets on its `latest` and `drop` channels (docs/protocol.md,
 * "Delivery under backpressure"). A push of such a channel is written only when the
 * connection's outbound buffer has room for it; otherwise `latest` keeps it (replacing the one
 * kept before) and `drop` counts it, and the connection is asked to say when it has caught up.
 * Then every channel kept back is settled: `latest` writes its newest push, `drop` a `gap` at
 * the last push written, after which its pushes flow again. `all` channels never come here:
 * their pushes are written, and the transport closes a connection past its limit with 4008.
 * The state is the subscription table's ({@link SubscriptionState}); this holds none.
 *
 * @example if (state.delivery === 'all' || policy.admit(state, encoded)) write(state, encoded);
 */
export class BacklogPolicy {
  constructor(
    /** The subscriptions of a connection, as the table holds them. */
    private readonly statesOf: (connection: Connection) => Iterable<SubscriptionState>,
    /** Writes a frame to a subscription, moving its position (the table's own write). */
    private readonly writeNow: (state: SubscriptionState, encoded: EncodedPush) => void,
    private readonly events: ChannelsEvents,
  ) {}

  /**
   * Decides a push of a `latest` or `drop` channel: true when it is to be written now (what was
   * kept back for the channel was settled first), false when it was kept or dropped.
   */
  admit(state: SubscriptionState, encoded: EncodedPush): boolean {
    const { connection } = state;
    if (connection.hasRoomFor(encoded.bytes.length)) {
      if (state.skipped > 0 || state.kept) this.settle(state, true);
      return true;
    }
    if (state.delivery === 'latest') {
      if (state.kept) state.skipped++;
      state.kept = encoded;
    } else state.skipped++;
    connection.awaitCatchUp(() => this.catchUp(connection));
    return false;
  }

  /** The connection caught up: every channel it kept back is settled. */
  private catchUp(connection: Connection): void {
    for (const state of this.statesOf(connection)) {
      if (state.skipped > 0 || state.kept) this.settle(state, false);
    }
  }

  // `latest`: the kept push is written, unless a newer one is about to be (`superseded`).
  // `drop`: a gap at the last push written tells the client where to recover from.
  private settle(state: SubscriptionState, superseded: boolean): void {
    const kept = state.kept;
    state.kept = undefined;
    if (kept && superseded) state.skipped++;
    else if (kept) this.writeNow(state, kept);
    if (state.delivery === 'drop' && state.skipped > 0 && state.offset !== undefined) {
      const gap: GapFrame = {
        channel: state.channel,
        event: 'gap',
        offset: state.offset,
        epoch: state.epoch!,
      };
      this.writeNow(state, encodePush(gap));
    }
    const skipped = state.skipped;
    state.skipped = 0;
    if (skipped > 0 && this.events.listening('delivery.skipped')) {
      this.events.emit({
        type: 'delivery.skipped',
        connection: state.connection,
        channel: state.channel,
        pattern: state.pattern,
        delivery: state.delivery === 'drop' ? 'drop' : 'latest',
        skipped,
      });
    }
  }
}
