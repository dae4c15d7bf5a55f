import { handshakeSecurity } from '../../../lib/asyncapi/handshake.security.js';
import { createTokenExtractor, type TokenExtractor } from '../../../lib/index.js';

// What the document says about the handshake, for the extractors an app may have.
describe('the security schemes of the handshake', () => {
  it('are none when nothing guards the handshake, whatever the extractor', () => {
    expect(
      handshakeSecurity({ guarded: false, extractor: createTokenExtractor() }),
    ).toBeUndefined();
  });

  it('follow the default extractor: header, subprotocol (WebSocket only), its cookie; no query', () => {
    const security = handshakeSecurity({
      guarded: true,
      extractor: createTokenExtractor({ cookie: 'session' }),
    })!;
    expect(security.websocket).toEqual(['bearer', 'subprotocol', 'cookie']);
    expect(security.sse).toEqual(['bearer', 'cookie']);
    expect(security.schemes.cookie).toMatchObject({ in: 'cookie', name: 'session' });
    expect(security.schemes.accessToken).toBeUndefined();
  });

  it('add the query scheme only with allowQueryToken', () => {
    const security = handshakeSecurity({
      guarded: true,
      extractor: createTokenExtractor({ allowQueryToken: true }),
    })!;
    expect(security.websocket).toEqual(['bearer', 'subprotocol', 'cookie', 'accessToken']);
    expect(security.sse).toEqual(['bearer', 'cookie', 'accessToken']);
    expect(security.schemes.accessToken).toMatchObject({ in: 'query', name: 'access_token' });
  });

  it('are the schemes the app gave for a custom extractor, else one bearer scheme marked assumed', () => {
    const custom: TokenExtractor = (request) => request.headers['x-api-key']?.toString();
    const assumed = handshakeSecurity({ guarded: true, extractor: custom })!;
    expect(assumed.websocket).toEqual(['bearer']);
    expect(assumed.schemes.bearer!.description).toMatch(/^Assumed/);
    const given = { apiKey: { type: 'httpApiKey', name: 'x-api-key', in: 'header' } };
    const described = handshakeSecurity({ guarded: true, extractor: custom, given })!;
    expect(described).toEqual({ schemes: given, websocket: ['apiKey'], sse: ['apiKey'] });
  });
});
