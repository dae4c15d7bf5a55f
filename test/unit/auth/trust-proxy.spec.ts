import { clientAddress, compileTrust } from '../../../lib/settings/trust-proxy.js';

describe('client address by the trust proxy rule (as Express req.ip)', () => {
  const xff = '198.51.100.7, 203.0.113.9, 10.0.0.2';

  it.each([
    [false, '10.0.0.1'],
    [true, '198.51.100.7'],
    [1, '10.0.0.2'],
    [2, '203.0.113.9'],
    ['10.0.0.0/8', '203.0.113.9'],
    ['loopback', '10.0.0.1'],
    [['10.0.0.1', '10.0.0.2', '203.0.113.9'], '198.51.100.7'],
    ['uniquelocal, 203.0.113.0/24', '198.51.100.7'],
  ])('trust %j: %s', (trust, expected) => {
    expect(clientAddress('10.0.0.1', xff, compileTrust(trust as never))).toBe(expected);
  });

  it('matches an IPv4-mapped socket address and IPv6 subnets', () => {
    expect(compileTrust('loopback')('::ffff:127.0.0.1', 0)).toBe(true);
    expect(compileTrust('loopback')('::1', 0)).toBe(true);
    expect(compileTrust('fc00::/7')('fd00::1', 0)).toBe(true);
  });

  it('ignores X-Forwarded-For when the socket is not trusted', () => {
    expect(clientAddress('192.0.2.1', '1.2.3.4', compileTrust('loopback'))).toBe('192.0.2.1');
  });

  it('refuses a value that is no address', () => {
    expect(() => compileTrust('localhost')).toThrow('trustProxy: "localhost"');
  });
});
