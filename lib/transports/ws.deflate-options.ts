import type { PerMessageDeflateOptions, WebSocket } from 'ws';
import type { ResolvedCompression } from '../settings/compression.options.js';
import type { DeflateParams } from './ws.deflate.js';

/**
 * `ws`'s permessage-deflate options for the `compression` setting: `false` when off; else no
 * context takeover both ways (no connection keeps a compressor, and a push is compressed once
 * for all), the client's window bounded when the setting says so. `ws` inflates what clients
 * send and stops at `maxPayload` (close 1009), so a decompression bomb costs at most that.
 * @example new WebSocketServer({ perMessageDeflate: perMessageDeflateOptions(settings.compression) })
 */
export function perMessageDeflateOptions(
  compression: ResolvedCompression,
): PerMessageDeflateOptions | false {
  if (!compression) return false;
  return {
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    // Unset: any window the client asks for is accepted (ours is at most serverMaxWindowBits).
    ...(compression.clientMaxWindowBits !== undefined && {
      clientMaxWindowBits: compression.clientMaxWindowBits,
    }),
    // The server's own frames are compressed by the connection (see ws.deflate.ts), never by
    // ws, whose threshold is set out of reach so that it never allocates a compressor.
    threshold: Number.MAX_SAFE_INTEGER,
  };
}

/**
 * How a connection compresses its frames: undefined when the client did not negotiate
 * permessage-deflate; else the setting's threshold and level, and the smaller of the server's
 * window and the one the client allowed (`server_max_window_bits`).
 * @example negotiatedDeflate(ws, settings.compression) // { threshold: 1024, level: 6, windowBits: 15 }
 */
export function negotiatedDeflate(
  ws: WebSocket,
  compression: ResolvedCompression,
): DeflateParams | undefined {
  if (!compression) return undefined;
  const extension = (
    ws as unknown as {
      _extensions?: Record<string, { params?: { server_max_window_bits?: number | true } }>;
    }
  )._extensions?.['permessage-deflate'];
  if (!extension) return undefined;
  const allowed = extension.params?.server_max_window_bits;
  // zlib's raw deflate has no 8-bit window: a client that allows only that gets plain frames.
  if (typeof allowed === 'number' && allowed < 9) return undefined;
  const windowBits =
    typeof allowed === 'number'
      ? Math.min(allowed, compression.serverMaxWindowBits)
      : compression.serverMaxWindowBits;
  return { threshold: compression.threshold, level: compression.level, windowBits };
}
