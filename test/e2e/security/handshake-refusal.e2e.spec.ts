import { AUTH } from '../../support/token.guard.js';
import { TestClient } from '../../support/ws-client.js';
import { useStrictLimitsApp } from './strict-limits.app.js';

// A refused handshake says why within what a close frame can carry, and a credential that
// cannot be read is a bad credential, not an internal error.
describe('security: refusing a handshake', () => {
  const channels = useStrictLimitsApp();

  it('refuses a handshake whose message is over 123 bytes of UTF-8 with 4401, cut to fit', async () => {
    const client = await TestClient.open(channels.url, { headers: AUTH('long') });
    const { code, reason } = await client.closed;
    expect(code).toBe(4401);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason.startsWith('é')).toBe(true);
  });

  it('refuses a malformed cookie as a bad credential (4401), not an internal error', async () => {
    const client = await TestClient.open(channels.url, {
      headers: { Cookie: 'channels_token=%E0%A4%A' },
    });
    expect((await client.closed).code).toBe(4401);
  });
});
