import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Broker } from './brokers/broker.js';
import type { BrokerMessage } from './brokers/broker.message.js';
import { ChannelsEvents } from './connection/channels.events.js';
import { ChannelsLifecycle } from './channels.lifecycle.js';
import { ChannelHub } from './hub/channel.hub.js';
import { Disconnector } from './hub/disconnector.js';
import { isUnavailable } from './protocol/unavailable.js';
import { SseCommandForwarder } from './transports/sse.command-forwarder.js';
import { SseCommandHandler } from './transports/sse.command-handler.js';
import { SseStreamLocator } from './transports/sse.stream-locator.js';
import { ReplyStreams } from './router/reply-streams.js';

/**
 * The one dispatcher of everything the broker brings to this node: pushes to the hub, control
 * messages to the piece that acts on them. Broker events go to the lifecycle stream.
 */
@Injectable()
export class BrokerDispatcher implements OnModuleInit {
  private readonly logger = new Logger('Channels');

  constructor(
    private readonly broker: Broker,
    private readonly events: ChannelsEvents,
    private readonly hub: ChannelHub,
    private readonly disconnector: Disconnector,
    private readonly lifecycle: ChannelsLifecycle,
    private readonly forwarder: SseCommandForwarder,
    private readonly sseCommands: SseCommandHandler,
    private readonly locator: SseStreamLocator,
    private readonly streams: ReplyStreams,
  ) {}

  // Before ChannelsModule.onModuleInit starts the broker: nothing it receives is lost.
  onModuleInit(): void {
    this.broker.listen(
      (message) => this.dispatch(message),
      (event) => this.events.emit(event),
    );
  }

  /** Hands one message to what acts on it. */
  dispatch(message: BrokerMessage): void {
    switch (message.type) {
      case 'push':
        return this.hub.deliver(message.push, message.except, message.trace);
      case 'disconnect':
        this.disconnector.closeLocal(message);
        return;
      case 'command':
        this.sseCommands.runForwarded(message).catch((error: unknown) => {
          this.logger.error(`A forwarded command failed: ${String(error)}`);
        });
        return;
      case 'command-result':
        return this.forwarder.settle(message);
      case 'stream-lookup':
        this.locator.answer(message).catch((error: unknown) => {
          // The broker went away meanwhile: the asking node answers its caller by itself.
          if (!isUnavailable(error)) this.logger.error(`A stream lookup failed: ${String(error)}`);
        });
        return;
      case 'stream-lookup-result':
        return this.locator.settle(message);
      case 'stats':
        return this.lifecycle.answerStats(message);
      case 'stats-result':
        return this.lifecycle.statsAnswered(message);
      case 'stream':
        return this.streams.receive(message);
    }
  }
}
