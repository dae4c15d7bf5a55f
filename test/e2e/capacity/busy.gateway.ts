import { ChannelGateway, MessageBody, OnMessage } from '../../../lib/index.js';

/** A handler that keeps the event loop busy: a CPU-bound loop of `ms` (an expensive report, say). */
@ChannelGateway()
export class BusyGateway {
  @OnMessage('spin')
  spin(@MessageBody() body: { ms: number }): { spunMs: number } {
    const until = Date.now() + body.ms;
    while (Date.now() < until);
    return { spunMs: body.ms };
  }
}
