/**
 * The built-in commands (PROTOCOL.md): the router answers them itself, and no gateway may
 * handle these names. The one list: metrics, the router and the gateway explorer read it.
 * @example BUILT_IN_EVENTS.has('presence') // true
 */
export const BUILT_IN_EVENTS: ReadonlySet<string> = new Set([
  'subscribe',
  'unsubscribe',
  'presence',
]);

/**
 * The WebSocket subprotocol of version 1 of the protocol (`Sec-WebSocket-Protocol`).
 * @example new WebSocket(url, [PROTOCOL_NAME]);
 */
export const PROTOCOL_NAME = 'channels.v1';

/**
 * The WebSocket subprotocol of version 1 in MessagePack: the same frames, as MessagePack in
 * binary messages (PROTOCOL.md, "Binary frames and compression").
 * @example new WebSocket(url, [MSGPACK_PROTOCOL_NAME]);
 */
export const MSGPACK_PROTOCOL_NAME = 'channels.v1.msgpack';
