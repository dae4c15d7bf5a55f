import { request } from 'node:http';
import { useFixtureApp } from '../../support/compile-fixture.js';
import { sleep } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';

type Kind = 'post' | 'sse' | 'upgrade';
/** An HTTP status, or the network error code of a request that got no answer. */
type Outcome = { kind: Kind; status: number | string; retryAfter?: string };

/** One request of `kind`, answered by its status (the stream or socket is dropped at once). */
function probe(port: number, kind: Kind): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> =
      kind === 'post'
        ? { 'Content-Type': 'application/json' }
        : kind === 'sse'
          ? { Accept: 'text/event-stream' }
          : {
              Connection: 'Upgrade',
              Upgrade: 'websocket',
              'Sec-WebSocket-Version': '13',
              'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
            };
    const req = request({
      host: '127.0.0.1',
      port,
      agent: false,
      method: kind === 'post' ? 'POST' : 'GET',
      path: kind === 'sse' ? '/channels/sse' : kind === 'post' ? '/channels/messages' : '/channels',
      headers,
    });
    const done = (status: number | string, retryAfter?: string) => {
      req.destroy();
      resolve(retryAfter === undefined ? { kind, status } : { kind, status, retryAfter });
    };
    req.on('response', (res) => {
      res.resume();
      done(res.statusCode!, res.headers['retry-after']);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      done(res.statusCode!);
    });
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'ERROR'));
    req.end(kind === 'post' ? '{"id":1,"event":"ping"}' : undefined);
  });
}

describe('security: requests across a SIGTERM', () => {
  const fixtureApp = useFixtureApp('test/e2e/security/slow-command-app.fixture.ts');

  it('answers POSTs, SSE streams and upgrades with 503 + Retry-After until it stops listening, never 404', async () => {
    const started = await fixtureApp.start();
    const { port } = started;
    const exitedAt = () => started.exitStatus()?.at ?? 0;

    // A command in flight keeps the drain, and so the shutdown, going for a second.
    const { client } = await TestClient.connect(`ws://127.0.0.1:${port}/channels`);
    client.send({ id: 1, event: 'slow', data: { ms: 1_000 } });
    await sleep(50);

    const after: Outcome[] = [];
    let signalled = false;
    const loop = async (kind: Kind) => {
      // Until the process is gone and a few more requests found nothing listening.
      while (exitedAt() === 0 || Date.now() - exitedAt() < 200) {
        const outcome = await probe(port, kind);
        if (signalled) after.push(outcome);
      }
    };
    const loops = (['post', 'sse', 'upgrade'] as const).flatMap((kind) => [loop(kind), loop(kind)]);
    await sleep(100);
    signalled = true;
    started.child.kill('SIGTERM');
    await Promise.all(loops);
    await started.exited;

    const statuses = new Set(after.map((outcome) => `${outcome.kind} ${outcome.status}`));
    const allowed = (outcome: Outcome) =>
      outcome.status === 503 ||
      outcome.status === 'ECONNREFUSED' ||
      outcome.status === 'ECONNRESET' ||
      // Sent before the signal arrived: answered as usual.
      (outcome.status === 200 && outcome.kind !== 'upgrade') ||
      (outcome.status === 101 && outcome.kind === 'upgrade');
    expect(after.filter((outcome) => !allowed(outcome))).toEqual([]);
    expect([...statuses].filter((s) => s.endsWith(' 404'))).toEqual([]);
    for (const kind of ['post', 'sse', 'upgrade'] as const) {
      const refused = after.filter((o) => o.kind === kind && o.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((o) => o.retryAfter === '1')).toBe(true);
      expect(after.some((o) => o.kind === kind && o.status === 'ECONNREFUSED')).toBe(true);
    }
    expect(await client.next((f) => f.id === 1)).toEqual({ id: 1, data: 'done' });
    expect(started.stderr()).toBe('');
  });
});
