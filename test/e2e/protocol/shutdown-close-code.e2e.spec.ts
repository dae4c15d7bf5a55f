import { RawSseClient } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { TestClient } from '../../support/ws-client.js';
import { PLATFORMS } from '../../support/app.js';
import { TokenGuard, startSseApp } from '../sse/sse.gateway.js';

// The shutdown.closeCode option: a node of several going down in a rolling deploy says 1012
// (service restart) on both transports, instead of 1001.
describe.each(PLATFORMS)('shutdown.closeCode on %s', (platform) => {
  it.each([
    ['by default', undefined, 1001],
    ['with shutdown: { closeCode: 1012 }', 1012, 1012],
  ] as const)(
    '%s: WebSocket and SSE clients get the close code on shutdown',
    async (_, option, code) => {
      const { app, ws, http } = await startSseApp(
        {
          auth: { handshakeGuards: [TokenGuard] },
          ...(option === undefined ? {} : { shutdown: { closeCode: option } }),
        },
        [],
        platform,
      );
      const socket = await TestClient.connect(`${ws}/channels`, { headers: AUTH('alice') });
      const stream = await RawSseClient.connect(`${http}/channels/sse`, AUTH('bob'));
      await app.close();
      expect(await socket.client.closed).toEqual({ code, reason: 'server shutting down' });
      const close = await stream.client.next((e) => e.event === 'close');
      expect(close.json).toEqual({ code, reason: 'server shutting down' });
      await stream.client.ended;
    },
  );
});
