import { decodeCursor } from '../../../lib/transports/sse-cursor.js';
import { postCommand, RawSseClient } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { useStrictLimitsApp } from '../security/strict-limits.app.js';

// What a command POSTed beside a stream counts against (the rate limit of its principal, or of
// its stream) and what it adds to the stream (its channels, in the cursor).
describe('SSE: the rate limit and the cursor of POSTed commands', () => {
  const channels = useStrictLimitsApp();

  it('counts every unbound POST of a principal against one rate limit', async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 4; n++) {
      statuses.push(
        (
          await postCommand(
            `${channels.http}/channels/messages`,
            { id: n, event: 'echo', data: n },
            AUTH('ok'),
          )
        ).status,
      );
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('puts a channel subscribed by a POST without id into the stream cursor', async () => {
    const { client, welcome } = await RawSseClient.connect(
      `${channels.http}/channels/sse`,
      AUTH('ok'),
    );
    const headers = { ...AUTH('ok'), 'X-Channels-Connection': welcome.json.connectionId };
    // This stream's own budget (2): one subscribe without id, then pushes need no command.
    const answer = await postCommand(
      `${channels.http}/channels/messages`,
      { event: 'subscribe', data: { channel: 'room:quiet' } },
      headers,
    );
    expect(answer.status).toBe(204);
    await channels.service.publish('room:quiet', 'hello', {});
    const push = await client.next((e) => e.event === 'hello');
    expect([...decodeCursor(push.id!).keys()]).toEqual(['room:quiet']);
    client.request.destroy();
  });
});
