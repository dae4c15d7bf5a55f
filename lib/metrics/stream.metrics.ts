import { Counter, Gauge, type Metric } from 'prom-client';
import type { ChannelsEvents } from '../connection/channels.events.js';

/** What the stream metrics need of {@link ChannelsMetrics}: registering, and listening. */
export interface MetricsHost {
  add<M extends Metric>(metric: M): M;
  listen: ChannelsEvents['on'];
}

/**
 * The metrics of streamed replies (docs/metrics.md): started and ended streams by the
 * handler's event (ended also by reason: `completed`, `failed`, `unsubscribed`, `idle`,
 * `shutdown`), resumes by whether the history covered them, and the streams running now.
 * @example sum by (reason) (rate(channels_streams_ended_total[5m]))
 */
export function addStreamMetrics(host: MetricsHost): void {
  let running = 0;
  const started = host.add(
    new Counter({
      name: 'channels_streams_started_total',
      help: 'Streamed replies started on this node, by event.',
      labelNames: ['event'],
      registers: [],
    }),
  );
  const ended = host.add(
    new Counter({
      name: 'channels_streams_ended_total',
      help: 'Streamed replies that ended on this node, by event and reason (completed, failed, unsubscribed, idle, shutdown).',
      labelNames: ['event', 'reason'],
      registers: [],
    }),
  );
  const resumed = host.add(
    new Counter({
      name: 'channels_streams_resumed_total',
      help: 'Stream channels subscribed again from a position on this node, by whether the history covered the gap.',
      labelNames: ['recovered'],
      registers: [],
    }),
  );
  host.add(
    new Gauge({
      name: 'channels_streams_active',
      help: 'Streamed replies running on this node.',
      registers: [],
      collect() {
        this.set(running);
      },
    }),
  );
  host.listen('stream.started', (e) => {
    running++;
    started.inc({ event: e.event });
  });
  host.listen('stream.ended', (e) => {
    running--;
    ended.inc({ event: e.event, reason: e.reason });
  });
  host.listen('stream.resumed', (e) => resumed.inc({ recovered: String(e.recovered) }));
}
