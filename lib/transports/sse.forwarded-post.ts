import { Inject, Injectable, Logger } from '@nestjs/common';
import type { HandshakeClient } from '../connection/handshake.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { scanFrame } from '../protocol/frame.scanner.js';
import { ErrorCode, type ErrorFrame, type ReplyFrame } from '../protocol/frames.js';
import { isUnavailable } from '../protocol/unavailable.js';
import { ForwardedRateLimiter } from '../rate-limit/forwarded-rate.limiter.js';
import { errorFrame } from '../router/command.router.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ForwardedQuota } from './forwarded.quota.js';
import type { PendingBody } from './http-body.reader.js';
import { SseCommandForwarder } from './sse.command-forwarder.js';
import { SseStreamLocator } from './sse.stream-locator.js';

/**
 * The answer to a `POST` bound to a stream that no open stream of the caller's on this node
 * matches: the same for an unknown id, another principal's stream and a closing one (ids are
 * not probed).
 * @example throw noStream(7);
 */
export function noStream(id: number | undefined): ChannelsException {
  return new ChannelsException(
    ErrorCode.FORBIDDEN,
    'X-Channels-Connection names no open SSE stream of yours.',
    { id },
  );
}

/**
 * Runs a `POST {path}/messages` bound to an SSE stream that is not on this node, in bounded
 * steps: a place among the forwarded POSTs in flight ({@link ForwardedQuota}, refused at
 * once), the `rateLimits.forwarded` budgets of the principal and the address, the lookup of the
 * stream's node without the body ({@link SseStreamLocator}, at most 100 ms, the same path
 * whether the stream is elsewhere or nowhere), and only then the body, read and carried to
 * that node ({@link SseCommandForwarder}).
 */
@Injectable()
export class SseForwardedPost {
  private readonly logger = new Logger('Channels');

  constructor(
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly connections: ConnectionRegistry,
    private readonly quota: ForwardedQuota,
    private readonly limiter: ForwardedRateLimiter,
    private readonly locator: SseStreamLocator,
    private readonly forwarder: SseCommandForwarder,
  ) {}

  /**
   * Runs the POST on the node of stream `connectionId`; its body is read once that node is
   * known.
   * @returns the answer; `null` for a command without id that succeeded there
   */
  async run(
    pending: PendingBody,
    client: HandshakeClient,
    connectionId: string,
  ): Promise<ReplyFrame | ErrorFrame | null> {
    const principalKey = this.connections.keyOf(client.principal);
    const ip = client.handshake.ip;
    let release: (() => void) | undefined;
    let id: number | undefined;
    try {
      release = this.quota.enter(principalKey ?? `ip:${ip ?? 'unknown'}`);
      await this.limiter.consume(principalKey, ip);
      if (!(await this.locator.locate(connectionId, principalKey))) throw noStream(undefined);
      const body = await pending.read();
      id = scanFrame(body, this.settings.limits.frameLimits).id;
      const answer = await this.forwarder.forward({ connectionId, principalKey, body });
      // The stream's node went away between the lookup and the command.
      return answer === undefined ? errorFrame(noStream(id)) : answer;
    } catch (error) {
      if (error instanceof ChannelsException || isUnavailable(error)) return errorFrame(error, id);
      this.logger.error(`Could not forward a command to another node: ${String(error)}`);
      return errorFrame(new ChannelsException(ErrorCode.INTERNAL, 'Try again.', { id }));
    } finally {
      release?.();
    }
  }
}
