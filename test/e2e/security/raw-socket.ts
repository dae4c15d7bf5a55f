import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket spoken by hand over TCP, to send frames no well-behaved client library would:
 * unmasked, with reserved bits, invalid UTF-8. Reads back the server's close code.
 */
export class RawSocket {
  private buffer = Buffer.alloc(0);
  readonly closed: Promise<{ code: number | undefined; reason: string }>;

  private constructor(private readonly socket: Socket) {
    let resolveClosed!: (value: { code: number | undefined; reason: string }) => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    socket.on('data', (chunk) => (this.buffer = Buffer.concat([this.buffer, chunk])));
    socket.on('error', () => undefined);
    socket.on('close', () => resolveClosed(this.closeFrame() ?? { code: undefined, reason: '' }));
  }

  /** Opens a TCP connection and completes the upgrade at `url` (ws://host:port/path). */
  static async open(url: string): Promise<RawSocket> {
    const { hostname, port, pathname, search } = new URL(url);
    const socket = connect(Number(port), hostname);
    const raw = new RawSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => resolve());
    });
    socket.write(
      `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const deadline = Date.now() + 5_000;
    while (!raw.buffer.includes('\r\n\r\n')) {
      if (Date.now() > deadline) throw new Error('no upgrade response');
      await new Promise((r) => setTimeout(r, 5));
    }
    const end = raw.buffer.indexOf('\r\n\r\n') + 4;
    const head = raw.buffer.subarray(0, end).toString();
    if (!head.startsWith('HTTP/1.1 101'))
      throw new Error(`upgrade refused: ${head.split('\r\n')[0]}`);
    raw.buffer = raw.buffer.subarray(end);
    return raw;
  }

  /** Writes one frame. */
  frame(
    opcode: number,
    payload: Buffer,
    options: { fin?: boolean; rsv1?: boolean; masked?: boolean } = {},
  ): void {
    const { fin = true, rsv1 = false, masked = true } = options;
    const header = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode];
    const maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) header.push(maskBit | payload.length);
    else if (payload.length < 65536)
      header.push(maskBit | 126, payload.length >> 8, payload.length & 0xff);
    else throw new Error('payload too long for this helper');
    if (!masked) {
      this.socket.write(Buffer.concat([Buffer.from(header), payload]));
      return;
    }
    const mask = randomBytes(4);
    const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
    this.socket.write(Buffer.concat([Buffer.from(header), mask, body]));
  }

  destroy(): void {
    this.socket.destroy();
  }

  // The server's close frame, if it sent one: opcode 8, unmasked, a two-byte code then the reason.
  private closeFrame(): { code: number; reason: string } | undefined {
    let offset = 0;
    while (offset + 2 <= this.buffer.length) {
      const opcode = this.buffer[offset]! & 0x0f;
      let length = this.buffer[offset + 1]! & 0x7f;
      let start = offset + 2;
      if (length === 126) {
        length = this.buffer.readUInt16BE(offset + 2);
        start += 2;
      } else if (length === 127) {
        length = Number(this.buffer.readBigUInt64BE(offset + 2));
        start += 8;
      }
      if (opcode === 8 && length >= 2) {
        return {
          code: this.buffer.readUInt16BE(start),
          reason: this.buffer.subarray(start + 2, start + length).toString(),
        };
      }
      offset = start + length;
    }
    return undefined;
  }
}
