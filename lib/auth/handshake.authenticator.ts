import {
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import {
  PendingClient,
  readHandshake,
  type HandshakeClient,
  type TransportName,
} from '../connection/handshake.js';
import type { PipelineHandler } from '../gateway/handler.registry.js';
import { ChannelsMetadataAccessor } from '../gateway/channels-metadata.accessor.js';
import { NEST_KEYS } from '../gateway/handler.rules.js';
import { PipelineFactory } from '../gateway/pipeline.factory.js';
import { ClientIpResolver } from './client-ip.resolver.js';

/**
 * Runs the handshake guards against a handshake request, before any connection exists: the
 * `handshakeGuards` option, then the app's global guards (`APP_GUARD`, `useGlobalGuards`),
 * each once per handshake. Gateways' own guards do not run here: they guard that gateway's
 * joins and messages. A guard may set `request.user` (or `client.principal`).
 */
@Injectable()
export class HandshakeAuthenticator implements OnModuleInit {
  private check?: PipelineHandler;

  constructor(
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly pipelines: PipelineFactory,
    private readonly moduleRef: ModuleRef,
    private readonly clientIp: ClientIpResolver,
    private readonly discovery: DiscoveryService,
    private readonly accessor: ChannelsMetadataAccessor,
  ) {}

  async onModuleInit(): Promise<void> {
    const guards = await Promise.all(
      this.settings.auth.handshakeGuards.map((g) => this.resolve(g)),
    );
    this.check = this.pipelines.forHandshake(guards);
    if (guards.length === 0) this.explainGatewayGuards();
  }

  /**
   * @param ip the client IP, when the caller has resolved it already
   * @returns the authenticated client, to become a connection
   * @throws whatever a guard threw; a guard that returned false throws `ForbiddenException`
   */
  async authenticate(
    request: IncomingMessage,
    transport: TransportName,
    ip: string | undefined = this.clientIp.resolve(request),
  ): Promise<HandshakeClient> {
    const client = this.unguarded(request, transport, ip);
    if (this.check) await this.check(client, undefined, { event: 'handshake' });
    return client;
  }

  /** Whether any handshake guard runs (listed in `handshakeGuards`, or a global one). */
  get guarded(): boolean {
    return this.check !== undefined;
  }

  /**
   * The client a handshake makes, before (or without, when none is {@link guarded}) its guards.
   * @param ip the client IP, when the caller has resolved it already
   */
  unguarded(
    request: IncomingMessage,
    transport: TransportName,
    ip: string | undefined = this.clientIp.resolve(request),
  ): HandshakeClient {
    const handshake = readHandshake(request, this.settings.auth.extractToken(request), ip);
    return new PendingClient(transport, handshake);
  }

  // Gateway guards used to gate the handshake too: an app that relied on it is told, once,
  // where its auth guard goes now.
  private explainGatewayGuards(): void {
    const guarded = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.metatype)
      .filter(
        (type): type is Type =>
          typeof type === 'function' &&
          this.accessor.isGateway(type) &&
          (Reflect.getMetadata(NEST_KEYS.guards, type) ?? []).length > 0,
      );
    if (guarded.length === 0) return;
    new Logger('Channels').log(
      `${guarded.map((type) => type.name).join(', ')}: class guards guard that gateway's joins ` +
        'and messages, not the handshake. To authenticate connections, list your auth guard ' +
        'in handshakeGuards (or make it a global guard).',
    );
  }

  // A guard class is taken from the app's providers when it is one (with its dependencies),
  // else built here; one that cannot be built says what to do.
  private async resolve(guard: Type<CanActivate> | CanActivate): Promise<CanActivate> {
    if (typeof guard !== 'function') return guard;
    try {
      return this.moduleRef.get(guard, { strict: false });
    } catch {
      try {
        return await this.moduleRef.create(guard);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `Handshake guard ${guard.name} cannot be built here: list it in the providers of ` +
            `the module that has its dependencies (it is then taken from there), or pass an ` +
            `instance (forRootAsync). ${reason}`,
        );
      }
    }
  }
}
