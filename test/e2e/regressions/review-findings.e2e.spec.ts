import {
  Injectable,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { Agent, request as httpRequest } from 'node:http';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  MessageBody,
  OnJoin,
  OnMessage,
  type HandshakeClient,
} from '../../../lib/index.js';
import { decodeCursor } from '../../../lib/transports/sse-cursor.js';
import { startApp } from '../../support/app.js';
import { postCommand, RawSseClient } from '../../support/sse-client.js';
import { TestClient } from '../../support/ws-client.js';

// Edge cases a review found: each of these once leaked state, crashed or answered wrongly.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Token `ok` passes; `long` is refused with a long non-ASCII message; `?wait=` delays. */
@Injectable()
class EdgeGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const client = context.switchToWs().getClient<HandshakeClient<{ id: string }>>();
    if (client.principal) return true;
    const wait = Number(client.handshake.query.wait ?? 0);
    if (wait > 0) await sleep(wait);
    const token = client.handshake.token;
    if (token === 'long') throw new UnauthorizedException('é'.repeat(90));
    if (token !== 'ok') throw new UnauthorizedException('Who are you?');
    client.principal = { id: 'ok' };
    return true;
  }
}

@ChannelGateway()
@UseGuards(EdgeGuard)
class EdgeGateway {
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

describe('edge cases found in review', () => {
  let app: INestApplication;
  let ws: string;
  let http: string;
  const service = () => app.get(ChannelsService);

  beforeAll(async () => {
    const started = await startApp({
      imports: [
        ChannelsModule.forRoot({
          auth: { handshakeGuards: [EdgeGuard] },
          limits: { maxConnectionsPerIp: 1 },
          rateLimits: { connection: false, message: { points: 2, durationMs: 60_000 } },
        }),
      ],
      providers: [EdgeGateway],
    });
    app = started.app;
    ws = `${started.ws}/channels`;
    http = `${started.http}/channels`;
  });
  afterAll(() => app.close());

  it('refuses a handshake whose message is over 123 bytes of UTF-8 with 4401, cut to fit', async () => {
    const client = await TestClient.open(ws, { headers: { Authorization: 'Bearer long' } });
    const { code, reason } = await client.closed;
    expect(code).toBe(4401);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason.startsWith('é')).toBe(true);
  });

  it('refuses a malformed cookie as a bad credential (4401), not an internal error', async () => {
    const client = await TestClient.open(ws, { headers: { Cookie: 'channels_token=%E0%A4%A' } });
    expect((await client.closed).code).toBe(4401);
  });

  it('leaves no subscription behind when the connection closes during the join', async () => {
    const { client } = await TestClient.connect(ws, { headers: { Authorization: 'Bearer ok' } });
    client.send({ id: 1, event: 'subscribe', data: { channel: 'slow:a' } });
    await sleep(30);
    client.close();
    await client.closed;
    await sleep(350);
    expect(service().subscriptionCount('slow:a')).toBe(0);
    expect(service().connectionCount()).toBe(0);
  });

  it('registers no SSE stream whose client left while its guards ran', async () => {
    const req = httpRequest(`${http}/sse?channel=room:gone&wait=300`, {
      headers: { Authorization: 'Bearer ok', Accept: 'text/event-stream' },
    });
    req.on('error', () => undefined);
    req.end();
    await sleep(50);
    req.destroy();
    await sleep(500);
    expect(service().connectionCount()).toBe(0);
    expect(service().subscriptionCount('room:gone')).toBe(0);
  });

  it('gives back the connection place of an SSE request refused for a bad cursor', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${http}/sse`,
          { agent, headers: { Authorization: 'Bearer ok', ...headers } },
          (res) => {
            resolve(res.statusCode ?? 0);
            res.resume();
            if (res.statusCode === 200) req.destroy();
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await get({ 'Last-Event-ID': 'not-a-cursor!' })).toBe(400);
    expect(await get({})).toBe(200);
    agent.destroy();
    await sleep(50);
  });

  it('counts every unbound POST of a principal against one rate limit', async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 4; n++) {
      statuses.push(
        (
          await postCommand(
            `${http}/messages`,
            { id: n, event: 'echo', data: n },
            { Authorization: 'Bearer ok' },
          )
        ).status,
      );
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('puts a channel subscribed by a POST without id into the stream cursor', async () => {
    const { client, welcome } = await RawSseClient.connect(`${http}/sse`, {
      Authorization: 'Bearer ok',
    });
    const headers = {
      Authorization: 'Bearer ok',
      'X-Channels-Connection': welcome.json.connectionId,
    };
    // This stream's own budget (2): one subscribe without id, then pushes need no command.
    const answer = await postCommand(
      `${http}/messages`,
      { event: 'subscribe', data: { channel: 'room:quiet' } },
      headers,
    );
    expect(answer.status).toBe(204);
    await service().publish('room:quiet', 'hello', {});
    const push = await client.next((e) => e.event === 'hello');
    expect([...decodeCursor(push.id!).keys()]).toEqual(['room:quiet']);
    client.request.destroy();
  });
});
