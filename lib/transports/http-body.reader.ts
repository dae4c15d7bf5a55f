import type { IncomingMessage } from 'node:http';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';

/**
 * Reads a request body as UTF-8 text, at most `limit` bytes. No body parser is involved: the
 * SSE transport answers its requests before Express or Fastify sees them.
 *
 * @throws ChannelsException `PAYLOAD_TOO_LARGE` as soon as the declared or received length
 *   passes `limit` (the rest of the body is not read); `BAD_REQUEST` when the client aborts
 * @example const text = await readBody(request, 64 * 1024);
 */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () =>
    new ChannelsException(ErrorCode.PAYLOAD_TOO_LARGE, `The body is larger than ${limit} bytes.`);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        // Stop buffering; the response is sent with `Connection: close`, which ends the rest.
        request.pause();
        reject(tooLarge());
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
