import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';

/**
 * Reads the body of every `POST` the module serves, as UTF-8 text, with three bounds from the
 * `limits` settings: at most `maxPayloadBytes`, complete within `bodyTimeoutMs` (else 408, and
 * the socket is closed after the answer), and at most `maxPendingBodiesPerIp` bodies arriving
 * at once from one address (the next is refused 429 before a byte of it is read). No body
 * parser is involved: the SSE transport answers its requests before Express or Fastify sees
 * them.
 *
 * @example const text = await reader.read(request, client.handshake.ip);
 */
@Injectable()
export class HttpBodyReader {
  private readonly pending = new Map<string, number>();

  constructor(@Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings) {}

  /** How many bodies are arriving now, from every address together. */
  get pendingBodies(): number {
    let total = 0;
    for (const count of this.pending.values()) total += count;
    return total;
  }

  /**
   * Reads the request's body.
   * @param ip the client's address (per-address cap); `undefined` counts as one address
   * @throws ChannelsException `PAYLOAD_TOO_LARGE` as soon as the declared or received length
   *   passes `maxPayloadBytes`; `RATE_LIMITED` (429, `retryAfterMs`) over the per-address cap;
   *   `BAD_REQUEST` with status 408 past the deadline, or 400 when the client aborts
   */
  async read(request: IncomingMessage, ip: string | undefined): Promise<string> {
    const { maxPayloadBytes, bodyTimeoutMs, maxPendingBodiesPerIp } = this.settings.limits;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxPayloadBytes) throw tooLarge(maxPayloadBytes);
    // A body already complete (small, arrived with the head) holds nothing: no place taken.
    if (request.complete) return collect(request, maxPayloadBytes, bodyTimeoutMs);
    const key = ip ?? 'unknown';
    const held = this.pending.get(key) ?? 0;
    if (held >= maxPendingBodiesPerIp) {
      throw new ChannelsException(
        ErrorCode.RATE_LIMITED,
        `Too many unfinished request bodies from this address: retry in ${bodyTimeoutMs} ms.`,
        { retryAfterMs: bodyTimeoutMs },
      );
    }
    this.pending.set(key, held + 1);
    try {
      return await collect(request, maxPayloadBytes, bodyTimeoutMs);
    } finally {
      const left = (this.pending.get(key) ?? 1) - 1;
      if (left > 0) this.pending.set(key, left);
      else this.pending.delete(key);
    }
  }
}

function tooLarge(limit: number): ChannelsException {
  return new ChannelsException(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `The body is larger than ${limit} bytes.`,
  );
}

function collect(request: IncomingMessage, limit: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => {
      cleanup();
      // Stop buffering; the answer goes out with `Connection: close`, which ends the socket.
      request.pause();
      reject(
        new ChannelsException(
          ErrorCode.BAD_REQUEST,
          `The request body did not arrive within ${timeoutMs} ms.`,
          { status: 408 },
        ),
      );
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        request.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, received).toString('utf8'));
    };
    const onError = () => {
      cleanup();
      reject(new ChannelsException(ErrorCode.BAD_REQUEST, 'The request body could not be read.'));
    };
    // A client that goes away mid-body: 'close' without 'end'.
    const onClose = () => {
      if (!request.complete) onError();
    };
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    request.once('close', onClose);
  });
}
