/**
 * WebSocket permessage-deflate (RFC 7692), the `compression` section of
 * {@link ChannelsModuleOptions}. Off by default. When on, the server accepts a client's offer
 * with no context takeover both ways, so every message is compressed on its own: a push is
 * compressed once and the same bytes go to every subscriber that negotiated it, and no
 * connection keeps a compressor. Frames below `threshold` bytes are sent uncompressed.
 * Memory per connection: only an inflater for the client's compressed messages, made on the
 * first one, holding a window of 2^`clientMaxWindowBits` bytes (32 KiB at 15) plus about 7 KiB;
 * an inflated message past `limits.maxPayloadBytes` closes the connection with 1009 (a
 * decompression bomb costs at most that much). Measured costs: docs/compression.md.
 *
 * @example ChannelsModule.forRoot({ compression: { enabled: true, threshold: 512 } })
 */
export interface ChannelsCompressionOptions {
  /**
   * Offer permessage-deflate to the clients that ask for it.
   * @default false
   */
  enabled?: boolean;
  /**
   * Frames whose payload is smaller than this many bytes are sent uncompressed.
   * @default 1024
   */
  threshold?: number;
  /**
   * zlib compression level of the server's frames, 1 (fastest) to 9 (smallest).
   * @default 6
   */
  level?: number;
  /**
   * The window of the server's compressor, 9 to 15 bits (lower if the client asks for less).
   * Its memory is used while a push is compressed, once per push, not per connection.
   * @default 15
   */
  serverMaxWindowBits?: number;
  /**
   * The largest window a client may compress with, 9 to 15 bits: the size of the inflater each
   * connection keeps (2^bits bytes). A number below 15 declines (HTTP 400) a client that offers
   * permessage-deflate without `client_max_window_bits`; leave it unset to accept every offer.
   * @default undefined (the client's choice, at most 15)
   */
  clientMaxWindowBits?: number;
}

/**
 * The resolved `compression` section: `false` when off.
 * @example const { threshold } = settings.compression || { threshold: Infinity };
 */
export type ResolvedCompression =
  | false
  | {
      readonly threshold: number;
      readonly level: number;
      readonly serverMaxWindowBits: number;
      readonly clientMaxWindowBits: number | undefined;
    };

/**
 * Fills in the defaults of the `compression` section.
 * @throws RangeError naming the option that is out of range
 * @example resolveCompression({ enabled: true }) // { threshold: 1024, level: 6, serverMaxWindowBits: 15, … }
 */
export function resolveCompression(options: ChannelsCompressionOptions = {}): ResolvedCompression {
  if (!options.enabled) return false;
  return {
    threshold: within('threshold', options.threshold ?? 1024, 0, Number.MAX_SAFE_INTEGER),
    level: within('level', options.level ?? 6, 1, 9),
    serverMaxWindowBits: within('serverMaxWindowBits', options.serverMaxWindowBits ?? 15, 9, 15),
    clientMaxWindowBits:
      options.clientMaxWindowBits === undefined
        ? undefined
        : within('clientMaxWindowBits', options.clientMaxWindowBits, 9, 15),
  };
}

function within(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`compression.${name} must be an integer from ${min} to ${max}.`);
  return value;
}
