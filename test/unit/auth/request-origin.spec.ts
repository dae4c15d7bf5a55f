import type { IncomingMessage } from 'node:http';
import { normalizeOrigin, ownOrigins } from '../../../lib/auth/request-origin.js';

// A request as Node hands it over: its headers and whether its socket is TLS.
const request = (headers: Record<string, string>, encrypted = false): IncomingMessage =>
  ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

describe('the origins of the app itself, from the request', () => {
  it('is the Host on either scheme over a plain socket, https alone over TLS', () => {
    expect(ownOrigins(request({ host: 'App.Example.com:8080' }), false)).toEqual([
      'http://app.example.com:8080',
      'https://app.example.com:8080',
    ]);
    expect(ownOrigins(request({ host: 'app.example.com:443' }, true), false)).toEqual([
      'https://app.example.com',
    ]);
  });

  it('reads X-Forwarded-Host and -Proto (first values; ws/wss as http/https) only when trusted', () => {
    const headers = {
      host: '10.0.0.5:3000',
      'x-forwarded-host': 'app.example.com, inner.example',
      'x-forwarded-proto': 'wss,http',
    };
    expect(ownOrigins(request(headers), true)).toEqual(['https://app.example.com']);
    expect(ownOrigins(request(headers), false)).toEqual([
      'http://10.0.0.5:3000',
      'https://10.0.0.5:3000',
    ]);
    // A trusted proxy's word on the scheme wins over the socket's, as in Express.
    expect(
      ownOrigins(request({ host: 'a.example', 'x-forwarded-proto': 'http' }, true), true),
    ).toEqual(['http://a.example']);
  });

  it('has none for a missing Host or one no browser would send', () => {
    expect(ownOrigins(request({}), false)).toEqual([]);
    for (const host of ['evil.example/x', 'a@evil.example', 'a b', 'evil.example?x'])
      expect(ownOrigins(request({ host }), false)).toEqual([]);
  });

  it('compares origins in their one serialization, and knows no others', () => {
    expect(normalizeOrigin('HTTPS://App.Example.com:443')).toBe('https://app.example.com');
    expect(normalizeOrigin('http://[::1]:80')).toBe('http://[::1]');
    for (const origin of ['null', 'file://', 'chrome-extension://abc', ''])
      expect(normalizeOrigin(origin)).toBeUndefined();
  });
});
