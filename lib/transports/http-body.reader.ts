import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';

/**
 * A POST body admitted by {@link HttpBodyReader.admit}: its place among its address's
 * unfinished bodies is held, and its deadline runs, from the request's arrival.
 */
export class PendingBody {
  private released = false;

  constructor(
    private readonly request: IncomingMessage,
    private readonly limit: number,
    private readonly deadline: number,
    private readonly timeoutMs: number,
    private readonly onRelease: () => void,
  ) {}

  /**
   * Reads the body as UTF-8 text, within what is left of the deadline, then gives the place
   * back.
   * @throws ChannelsException `PAYLOAD_TOO_LARGE` past `maxPayloadBytes`; `BAD_REQUEST` with
   *   status 408 past the deadline (the answer then closes the socket), or 400 on an abort
   */
  async read(): Promise<string> {
    try {
      return await collect(this.request, this.limit, this.deadline - Date.now(), this.timeoutMs);
    } finally {
      this.release();
    }
  }

  /** Gives the place back (a body refused before it was read); idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }
}

/**
 * Admits and reads the body of every `POST` the module serves, with three bounds from the
 * `limits` settings: at most `maxPayloadBytes`; complete within `bodyTimeoutMs` of the request's
 * arrival (else 408, and the socket is closed after the answer); and at most
 * `maxPendingBodiesPerIp` unfinished bodies from one address at once (the next is refused 429
 * on arrival, before its credentials are checked or a byte of it is read). No body parser is
 * involved: the SSE transport answers its requests before Express or Fastify sees them.
 *
 * @example
 * const body = reader.admit(request, ip); // throws RATE_LIMITED over the cap
 * try { await authenticate(request); const text = await body.read(); } finally { body.release(); }
 */
@Injectable()
export class HttpBodyReader {
  private readonly pending = new Map<string, number>();

  constructor(@Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings) {}

  /**
   * Takes a place for the request's body, on its arrival.
   * @param ip the client's address; `undefined` counts as one address
   * @throws ChannelsException `PAYLOAD_TOO_LARGE` for a declared length over `maxPayloadBytes`;
   *   `RATE_LIMITED` (429, `retryAfterMs`) over the per-address cap
   */
  admit(request: IncomingMessage, ip: string | undefined): PendingBody {
    const { maxPayloadBytes, bodyTimeoutMs, maxPendingBodiesPerIp } = this.settings.limits;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxPayloadBytes) throw tooLarge(maxPayloadBytes);
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
    const release = () => {
      const left = (this.pending.get(key) ?? 1) - 1;
      if (left > 0) this.pending.set(key, left);
      else this.pending.delete(key);
    };
    const deadline = Date.now() + bodyTimeoutMs;
    return new PendingBody(request, maxPayloadBytes, deadline, bodyTimeoutMs, release);
  }
}

function tooLarge(limit: number): ChannelsException {
  return new ChannelsException(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `The body is larger than ${limit} bytes.`,
  );
}

function collect(
  request: IncomingMessage,
  limit: number,
  leftMs: number,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    // A body that has fully arrived is only being read: no deadline for that.
    const timer = request.complete
      ? undefined
      : setTimeout(
          () => {
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
          },
          Math.max(0, leftMs),
        );
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
