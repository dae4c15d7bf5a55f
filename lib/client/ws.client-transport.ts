import { CloseCode } from '../protocol/codes.js';
import type { CommandFrame, WelcomeData } from '../protocol/frames.js';
import { ChannelsError } from './channels.error.js';
import type { ClientTransport, ServerFrame, TransportListener } from './client-transport.js';
import { JSON_CODEC, type WireCodec } from './wire.codec.js';

/**
 * An event a WebSocket implementation hands its listeners (the fields the SDK reads).
 * @example
 * socket.addEventListener('close', (event: WebSocketEventLike) => log(event.code, event.reason));
 */
export interface WebSocketEventLike {
  readonly type: string;
  data?: unknown;
  code?: number;
  reason?: string;
}

/**
 * The part of the WHATWG `WebSocket` the SDK uses. The browser's `WebSocket`, Node 22's
 * global one and the `ws` package's all fit.
 * @example const socket: WebSocketLike = new WebSocket(url, ['channels.v1', `bearer.${token}`]);
 */
export interface WebSocketLike {
  readonly readyState: number;
  /** Set to `'arraybuffer'` on a MessagePack connection (browsers default to Blobs). */
  binaryType?: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: WebSocketEventLike) => void,
  ): void;
}

/**
 * A WebSocket constructor, such as `globalThis.WebSocket` or `ws`'s `WebSocket`.
 * @example
 * import { WebSocket } from 'ws';
 * new ChannelsClient({ url: 'http://127.0.0.1:3000/channels', WebSocket });
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

// RFC 6455 subprotocol values are RFC 7230 tokens: a credential with other characters cannot
// travel in Sec-WebSocket-Protocol (browsers can set no other header on a WebSocket).
const SUBPROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const OPEN = 1;

/**
 * The WebSocket transport: one socket carries commands, answers and pushes. The token is
 * offered as the subprotocol `bearer.<token>` beside `channels.v1`, the one way a browser
 * can send a credential on a WebSocket without cookies or the URL.
 */
export class WsClientTransport implements ClientTransport {
  readonly name = 'websocket' as const;
  readonly answersOnConnection = true;
  readonly seesHeartbeats = false;
  private readonly socket: WebSocketLike;
  private welcomed = false;
  private opened = false;
  private ended = false;
  private refusedStatus?: number;

  /**
   * Opens the socket.
   * @throws whatever the WebSocket constructor throws (a blocked or missing WebSocket), or a
   *   `ChannelsError` `BAD_REQUEST` for a token that cannot travel as a subprotocol
   */
  constructor(
    url: string,
    token: string | undefined,
    WebSocketImpl: WebSocketConstructor | undefined,
    private readonly listener: TransportListener,
    private readonly codec: WireCodec = JSON_CODEC,
  ) {
    if (!WebSocketImpl)
      throw new ChannelsError(
        'BAD_REQUEST',
        'No WebSocket implementation: pass one as the `WebSocket` option.',
      );
    if (token !== undefined && !SUBPROTOCOL_TOKEN.test(token)) {
      throw new ChannelsError(
        'BAD_REQUEST',
        'The token has characters a WebSocket subprotocol cannot carry.',
      );
    }
    const protocols = token === undefined ? [codec.protocol] : [codec.protocol, `bearer.${token}`];
    this.socket = new WebSocketImpl(url, protocols);
    if (codec !== JSON_CODEC) this.socket.binaryType = 'arraybuffer';
    this.socket.addEventListener('open', () => {
      this.opened = true;
      this.listener.onActivity();
    });
    this.socket.addEventListener('message', (event) => this.onMessage(event.data));
    // The close event always follows an error event, with the code to act on.
    this.socket.addEventListener('error', (event) => (this.refusedStatus = httpStatusOf(event)));
    this.socket.addEventListener('close', (event) => {
      // A node that sheds answers the upgrade with HTTP 503 (docs/protocol.md): busy, not a
      // blocked path. Node's `ws` names the status in its error; a browser hides it (1006).
      if (!this.opened && this.refusedStatus === 503)
        return this.end(CloseCode.TRY_AGAIN_LATER, 'The server is busy.');
      this.end(event.code ?? 1006, event.reason ?? '');
    });
  }

  send(frame: CommandFrame): void {
    if (this.socket.readyState !== OPEN) {
      this.listener.onSendFailed(
        frame.id,
        new ChannelsError('DISCONNECTED', 'The WebSocket is not open.'),
      );
      return;
    }
    this.socket.send(this.codec.encode(frame));
  }

  close(code = 1000, reason = ''): void {
    try {
      this.socket.close(code, reason);
    } catch {
      // A socket that never opened cannot always be closed with a code; it is abandoned anyway.
      this.socket.close();
    }
    this.end(code, reason);
  }

  private onMessage(data: unknown): void {
    this.listener.onActivity();
    const frame = this.codec.decode(data);
    if (typeof frame !== 'object' || frame === null) return;
    if (!this.welcomed) {
      const welcome = frame as { event?: unknown; data?: unknown };
      if (
        welcome.event !== 'connected' ||
        typeof welcome.data !== 'object' ||
        welcome.data === null
      )
        return;
      this.welcomed = true;
      this.listener.onWelcome(welcome.data as WelcomeData);
      return;
    }
    this.listener.onFrame(frame as ServerFrame);
  }

  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.listener.onClose({ code, reason, opened: this.opened });
  }
}

// `ws` reports a refused upgrade as an error "Unexpected server response: 503".
function httpStatusOf(event: WebSocketEventLike): number | undefined {
  const message = (event as { message?: unknown }).message;
  const match = typeof message === 'string' ? /server response: (\d{3})/.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}
