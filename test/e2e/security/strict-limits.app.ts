import { UnauthorizedException, UseGuards } from '@nestjs/common';
import { ChannelGateway, MessageBody, OnJoin, OnMessage } from '../../../lib/index.js';
import { tokenGuard } from '../../support/token.guard.js';
import { sleep } from '../../support/wait.js';
import { useChannels, type ChannelsApp } from './channels-app.js';

/** Token `ok` passes; `long` is refused with a long non-ASCII message; `?wait=` delays. */
const SlowableGuard = tokenGuard(async (token, handshake) => {
  const wait = Number(handshake.query.wait ?? 0);
  if (wait > 0) await sleep(wait);
  if (token === 'long') throw new UnauthorizedException('é'.repeat(90));
  if (token !== 'ok') throw new UnauthorizedException('Who are you?');
  return { id: 'ok' };
});

@ChannelGateway()
@UseGuards(SlowableGuard)
class SlowJoinGateway {
  @OnJoin('room:{id}')
  room() {
    return true;
  }

  @OnJoin('slow:{id}')
  async slow() {
    await sleep(200);
    return true;
  }

  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return data;
  }
}

/**
 * For the describe block it is called in (see useChannels): an app with strict limits (one
 * connection per IP, two messages a minute, no handshake rate limit), a guard that can be
 * slowed (`?wait=<ms>`) and refuses token `long` at length, and `slow:*` joins of 200 ms.
 */
export function useStrictLimitsApp(): ChannelsApp {
  return useChannels(
    {
      auth: { handshakeGuards: [SlowableGuard] },
      limits: { maxConnectionsPerIp: 1 },
      rateLimits: { connection: false, message: { points: 2, durationMs: 60_000 } },
    },
    [SlowJoinGateway],
  );
}
