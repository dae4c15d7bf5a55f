import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { TestEventSource } from '../../support/event-source.js';
import { postCommand, RawSseClient } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { waitFor } from '../../support/wait.js';
import { PLATFORMS } from '../../support/app.js';
import { SseGateway, startSseApp } from './sse.gateway.js';

describe.each(PLATFORMS)('SSE transport on %s: graceful shutdown', (platform) => {
  let app: INestApplication;
  let base: string;

  beforeEach(async () => {
    ({ app, base } = await startSseApp({ shutdown: { timeoutMs: 10_000 } }, [], platform));
  });

  it('ends every open stream with event: close 1001, and app.close() does not hang on them', async () => {
    const streams = await Promise.all(
      ['alice', 'bob', 'alice'].map((user) =>
        RawSseClient.connect(`${base}/channels/sse?channel=room:down`, AUTH(user)),
      ),
    );
    const source = new TestEventSource(`${base}/channels/sse?channel=room:down`, 'alice', [
      'connected',
      'close',
    ]);
    await source.waitFor('connected', 1);
    const started = Date.now();
    await app.close();
    // Well inside shutdown.timeoutMs: the streams were ended, not waited out.
    expect(Date.now() - started).toBeLessThan(8000);
    for (const { client } of streams) {
      const close = await client.next((e) => e.event === 'close');
      expect(close.json).toEqual({ code: 1001, reason: 'server shutting down' });
      await client.ended;
    }
    expect(JSON.parse((await source.waitFor('close', 1))[0]!.data).code).toBe(1001);
    source.close();
    expect((app.getHttpServer() as Server).listening).toBe(false);
  });

  it('lets an in-flight POST finish, and refuses new streams and commands meanwhile with 503', async () => {
    const { client } = await RawSseClient.connect(`${base}/channels/sse`, AUTH('alice'));
    const before = SseGateway.slowStarted;
    const answer = postCommand(
      `${base}/channels/messages`,
      { id: 1, event: 'slow', data: { ms: 400 } },
      AUTH('alice'),
    );
    await waitFor(() => SseGateway.slowStarted > before);
    const closing = app.close();
    const refused = await RawSseClient.open(`${base}/channels/sse`, AUTH('alice'));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    const command = await postCommand(
      `${base}/channels/messages`,
      { id: 2, event: 'echo' },
      AUTH('alice'),
    );
    expect(command.status).toBe(503);
    const slow = await answer;
    expect(slow.status).toBe(200);
    expect(slow.json).toEqual({ id: 1, data: 'done' });
    await closing;
    expect((await client.next((e) => e.event === 'close')).json.code).toBe(1001);
    await client.ended;
  });
});
