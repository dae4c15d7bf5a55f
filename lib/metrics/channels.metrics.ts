import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, register, type Metric, type Registry } from 'prom-client';
import { ChannelsEvents } from '../connection/channels.events.js';
import { ChannelsLifecycle } from '../channels.lifecycle.js';
import {
  CHANNELS_METRICS_OPTIONS,
  metricsEnabledByEnv,
  type ChannelsMetricsOptions,
} from './channels-metrics.options.js';
import { closeCodeLabel, eventLabel, resultLabel } from './metric.labels.js';
import { addStreamMetrics } from './stream.metrics.js';

const COMMAND_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const ROUNDTRIP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * The module's Prometheus metrics (`channels_*`, see docs/metrics.md), fed by the lifecycle
 * events. Gauges are read from the node's state at scrape time; counters are incremented once
 * per event, and deliveries once per push per node.
 *
 * @example
 * const text = await register.metrics(); // includes channels_connections{transport="websocket"} 3
 */
@Injectable()
export class ChannelsMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly registry: Registry;
  private readonly metrics: Metric[] = [];
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly events: ChannelsEvents,
    private readonly lifecycle: ChannelsLifecycle,
    @Inject(CHANNELS_METRICS_OPTIONS) private readonly options: ChannelsMetricsOptions,
  ) {
    this.registry = options.registry ?? register;
  }

  /** Whether the metrics are collected (the `enabled` option). */
  get enabled(): boolean {
    return this.options.enabled ?? metricsEnabledByEnv();
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    const lifecycle = this.lifecycle;
    this.add(
      new Gauge({
        name: 'channels_connections',
        help: 'Live connections on this node, by transport.',
        labelNames: ['transport'],
        registers: [],
        collect() {
          const { connections } = lifecycle.nodeStats();
          for (const [transport, count] of Object.entries(connections))
            this.set({ transport }, count);
        },
      }),
    );
    this.add(
      new Gauge({
        name: 'channels_subscriptions',
        help: 'Subscriptions of the connections on this node, all channels together.',
        registers: [],
        collect() {
          this.set(lifecycle.nodeStats().subscriptions);
        },
      }),
    );
    const handshakes = this.counter(
      'channels_handshakes_total',
      "Handshakes, by transport and result (accepted, or the refusal's error code).",
      ['transport', 'result'],
    );
    const commands = this.counter(
      'channels_commands_total',
      'Commands answered, by event and result (ok, or the error code).',
      ['event', 'result'],
    );
    const duration = this.add(
      new Histogram({
        name: 'channels_command_duration_seconds',
        help: 'Time from a command reaching the router to its answer, by event.',
        labelNames: ['event'],
        buckets: this.options.commandDurationBuckets ?? COMMAND_BUCKETS,
        registers: [],
      }),
    );
    // The per-push counts are plain numbers, handed to prom-client at scrape time: a push costs
    // an addition, not a label lookup.
    const perPush = { published: 0, websocket: 0, sse: 0 };
    const reported = { published: 0, websocket: 0, sse: 0 };
    const flush = (counter: Counter<string>, key: keyof typeof perPush, labels = {}): void => {
      counter.inc(labels, perPush[key] - reported[key]);
      reported[key] = perPush[key];
    };
    this.add(
      new Counter({
        name: 'channels_publishes_total',
        help: 'Pushes published from this node.',
        registers: [],
        collect() {
          flush(this, 'published');
        },
      }),
    );
    this.add(
      new Counter({
        name: 'channels_deliveries_total',
        help: 'Pushes written to connections on this node, by transport.',
        labelNames: ['transport'],
        registers: [],
        collect() {
          flush(this, 'websocket', { transport: 'websocket' });
          flush(this, 'sse', { transport: 'sse' });
        },
      }),
    );
    const disconnects = this.counter(
      'channels_disconnects_total',
      'Connections closed, by transport, close code and who closed.',
      ['transport', 'code', 'by'],
    );
    const limited = this.counter(
      'channels_rate_limited_total',
      'Handshakes and commands refused by a rate limit, by scope.',
      ['scope'],
    );
    const slow = this.counter(
      'channels_slow_consumers_total',
      'Connections cut off as slow consumers (4008), by transport.',
      ['transport'],
    );
    const skipped = this.counter(
      'channels_pushes_skipped_total',
      'Pushes of latest / drop channels that never reached a connection that was behind (replaced by a newer one, or dropped then recovered after a gap), by channel pattern and policy.',
      ['pattern', 'delivery'],
    );
    const brokerErrors = this.counter(
      'channels_broker_errors_total',
      'Failed broker operations, by operation.',
      ['operation'],
    );
    const roundTrip = this.add(
      new Histogram({
        name: 'channels_broker_publish_roundtrip_seconds',
        help: 'Time from publishing a push to the broker to receiving it back on this node.',
        buckets: this.options.brokerRoundTripBuckets ?? ROUNDTRIP_BUCKETS,
        registers: [],
      }),
    );

    this.listen('connection.opened', (e) =>
      handshakes.inc({ transport: e.transport, result: 'accepted' }),
    );
    this.listen('handshake.refused', (e) =>
      handshakes.inc({ transport: e.transport, result: resultLabel(e.reason) }),
    );
    this.listen('command.handled', (e) => {
      const event = eventLabel(e.event, e.known);
      commands.inc({ event, result: resultLabel(e.result) });
      duration.observe({ event }, e.durationMs / 1000);
    });
    this.listen('push.published', () => perPush.published++);
    this.listen('push.delivered', (e) => {
      perPush.websocket += e.delivered - e.sse;
      perPush.sse += e.sse;
    });
    this.listen('connection.closed', (e) =>
      disconnects.inc({ transport: e.transport, code: closeCodeLabel(e.code), by: e.by }),
    );
    this.listen('rate.limited', (e) => limited.inc({ scope: e.scope }));
    this.listen('connection.slow', (e) => slow.inc({ transport: e.transport }));
    this.listen('delivery.skipped', (e) =>
      skipped.inc({ pattern: e.pattern, delivery: e.delivery }, e.skipped),
    );
    this.listen('broker.error', (e) => brokerErrors.inc({ operation: e.operation }));
    this.listen('broker.roundtrip', (e) => roundTrip.observe(e.durationMs / 1000));
    addStreamMetrics({ add: (metric) => this.add(metric), listen: this.listen });
  }

  // The metrics leave the registry with the app, so a second app in the same process (tests,
  // a restart in place) registers its own instead of failing on a duplicate name.
  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const metric of this.metrics.splice(0))
      this.registry.removeSingleMetric(metricName(metric));
  }

  private counter(name: string, help: string, labelNames: string[]): Counter<string> {
    return this.add(new Counter({ name, help, labelNames, registers: [] }));
  }

  private add<M extends Metric>(metric: M): M {
    const name = metricName(metric);
    if (this.registry.getSingleMetric(name)) this.registry.removeSingleMetric(name);
    this.registry.registerMetric(metric);
    this.metrics.push(metric);
    return metric;
  }

  private listen: ChannelsEvents['on'] = (type, listener) => {
    const off = this.events.on(type, listener);
    this.unsubscribe.push(off);
    return off;
  };
}

function metricName(metric: Metric): string {
  return (metric as unknown as { name: string }).name;
}
