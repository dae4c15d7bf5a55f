import { BlockList, isIP } from 'node:net';

/**
 * Which proxies are trusted to report the client's address in `X-Forwarded-For`, in the forms
 * Express's `trust proxy` setting takes: `true` (every hop), a number (that many hops from
 * the server), addresses, subnets or the names `loopback`, `linklocal`, `uniquelocal` (one
 * comma-separated string or an array), or a function `(address, hop) => boolean`.
 * @example ChannelsModule.forRoot({ auth: { trustProxy: 'loopback, 10.0.0.0/8' } })
 */
export type TrustProxy = boolean | number | string | string[] | TrustFunction;

/** Whether the hop at `address`, `hop` steps from the server (0: the socket), is trusted. */
export type TrustFunction = (address: string, hop: number) => boolean;

const NAMED: Readonly<Record<string, string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Compiles a {@link TrustProxy} value into a function, as Express does.
 * @throws Error for an address or subnet that is not one
 * @example compileTrust('loopback')('127.0.0.1', 0) // true
 */
export function compileTrust(value: TrustProxy): TrustFunction {
  if (typeof value === 'function') return value;
  if (value === true) return () => true;
  if (value === false) return () => false;
  if (typeof value === 'number') return (_address, hop) => hop < value;
  const entries = (Array.isArray(value) ? value : value.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED[e] ?? [e])) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address);
    if (family === 0) throw new Error(`trustProxy: "${entry}" is not an address or subnet.`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The client address by Express's rule (`req.ip`, from `proxy-addr`): walk from the socket
 * back through `X-Forwarded-For`, right to left, while each hop is trusted; the first
 * untrusted hop (or the farthest one) is the client.
 * @example clientAddress('10.0.0.2', '203.0.113.7, 10.0.0.1', compileTrust('10.0.0.0/8'))
 *   // '203.0.113.7'
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustFunction,
): string | undefined {
  if (socketAddress === undefined) return undefined;
  const hops = [socketAddress];
  if (forwardedFor) {
    const listed = forwardedFor.split(',').map((entry) => entry.trim());
    for (let i = listed.length - 1; i >= 0; i--) if (listed[i]) hops.push(listed[i]!);
  }
  for (let hop = 0; hop < hops.length - 1; hop++) {
    if (!trust(hops[hop]!, hop)) return hops[hop];
  }
  return hops[hops.length - 1];
}

// `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is matched as `127.0.0.1`.
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
