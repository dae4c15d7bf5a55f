import type { RawData } from 'ws';
import { stringifyFrame } from '../protocol/binary-value.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { CloseCode, ErrorCode } from '../protocol/frames.js';
import { unpackFrame } from '../protocol/msgpack.codec.js';
import type { WsConnection } from './ws.connection.js';

/** Frames of the other encoding in a row after which the connection is closed with 1003. */
export const MISMATCHED_FRAMES_BEFORE_CLOSE = 3;

/** What {@link WireFrameReader.read} made of a WebSocket message. */
export type ReadFrame =
  | { readonly text: string; readonly error?: undefined }
  | { readonly text?: undefined; readonly error: ChannelsException };

/**
 * Reads the messages of one WebSocket connection in its encoding (PROTOCOL.md, "Binary frames
 * and compression"): text frames on `channels.v1`, MessagePack binary frames on
 * `channels.v1.msgpack`, never a mix. A frame of the other encoding is refused
 * (`BAD_REQUEST`); after {@link MISMATCHED_FRAMES_BEFORE_CLOSE} of them in a row the
 * connection is closed with 1003 once its answers are out.
 *
 * A MessagePack command is handed on as the JSON text of the same value (byte arrays as
 * `{ "$binary": … }`, turned back into bytes by the parser), so both encodings take the one
 * inbound path: the same frame bounds, rate limit and parse.
 */
export class WireFrameReader {
  private mismatched = 0;

  constructor(
    private readonly connection: WsConnection,
    private readonly closeGraceMs: number,
  ) {}

  /** The command text of one message, or the error that refuses it. */
  read(data: RawData, isBinary: boolean): ReadFrame {
    const msgpack = this.connection.encoding === 'msgpack';
    if (isBinary !== msgpack) return { error: this.mismatch(msgpack) };
    this.mismatched = 0;
    if (!msgpack) return { text: data.toString() };
    let value: unknown;
    try {
      value = unpackFrame(toBytes(data));
    } catch {
      return {
        error: new ChannelsException(ErrorCode.BAD_REQUEST, 'The frame is not valid MessagePack.'),
      };
    }
    // A map decodes as a plain object; anything else (an array, a value, msgpackr's 0xc1) is no command.
    if (
      typeof value !== 'object' ||
      value === null ||
      Object.getPrototypeOf(value) !== Object.prototype
    ) {
      return { error: new ChannelsException(ErrorCode.BAD_REQUEST, 'A command must be a map.') };
    }
    return { text: stringifyFrame(value) };
  }

  private mismatch(msgpack: boolean): ChannelsException {
    if (++this.mismatched >= MISMATCHED_FRAMES_BEFORE_CLOSE) {
      // After the transport has counted this frame's refusal, so that it still leaves first.
      queueMicrotask(() =>
        this.connection.closeAfterAnswers(
          CloseCode.UNSUPPORTED_DATA,
          msgpack
            ? 'Text frames on a MessagePack connection.'
            : 'Binary frames on a JSON connection.',
          this.closeGraceMs,
        ),
      );
    }
    return new ChannelsException(
      ErrorCode.BAD_REQUEST,
      msgpack
        ? 'This connection speaks MessagePack (channels.v1.msgpack): send binary frames.'
        : 'This connection speaks JSON (channels.v1): send text frames, or connect with channels.v1.msgpack.',
    );
  }
}

function toBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
