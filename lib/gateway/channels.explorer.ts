import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { BUILT_IN_EVENTS } from '../protocol/built-in-events.js';
import { ChannelPattern } from './channel-pattern.js';
import { ChannelsMetadataAccessor } from './channels-metadata.accessor.js';
import { HandlerRegistry } from './handler.registry.js';
import { PipelineFactory } from './pipeline.factory.js';

/**
 * Finds every `@ChannelGateway` provider at bootstrap and registers its `@OnMessage` and
 * `@OnJoin` methods in the {@link HandlerRegistry}.
 */
@Injectable()
export class ChannelsExplorer implements OnModuleInit {
  private readonly logger = new Logger('Channels');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: ChannelsMetadataAccessor,
    private readonly pipelines: PipelineFactory,
    private readonly registry: HandlerRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype || !this.accessor.isGateway(metatype)) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        throw new Error(
          `Gateway ${metatype.name} is request-scoped; channel gateways must be singletons.`,
        );
      }
      this.explore(instance as object, metatype.name);
    }
  }

  private explore(instance: object, gatewayName: string): void {
    const prototype = Object.getPrototypeOf(instance) as Record<string, Function>;
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = prototype[methodName]!;
      const name = `${gatewayName}.${methodName}`;
      const event = this.accessor.messageEvent(method);
      if (event !== undefined) {
        if (BUILT_IN_EVENTS.has(event)) {
          throw new Error(
            `${name}: "${event}" is a built-in command and cannot be handled by a gateway.`,
          );
        }
        const handler = this.pipelines.forMethod(instance, methodName);
        this.registry.addMessage({
          event,
          handler,
          name,
          rateLimit: this.accessor.rateLimit(method),
        });
      }
      const pattern = this.accessor.joinPattern(method);
      if (pattern !== undefined) {
        const handler = this.pipelines.forMethod(instance, methodName);
        const presence = this.accessor.presence(method);
        const delivery = this.accessor.delivery(method);
        this.registry.addJoin({
          pattern: new ChannelPattern(pattern),
          handler,
          name,
          presence,
          delivery,
          delta: this.accessor.delta(method),
        });
      }
    }
    this.logger.log(`Mapped gateway ${gatewayName}`);
  }
}
