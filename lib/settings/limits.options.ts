import type { FrameLimits } from '../protocol/frame.limits.js';

/**
 * How much one frame, one connection, one principal and one address may take (the `limits`
 * section of {@link ChannelsModuleOptions}). Every field is optional; the defaults suit a
 * public service (docs/security.md explains each).
 *
 * @example
 * ChannelsModule.forRoot({
 *   limits: { maxPayloadBytes: 16 * 1024, maxSubscriptionsPerConnection: 20, maxConnectionsPerPrincipal: 5 },
 * })
 */
export interface ChannelsLimitsOptions {
  /**
   * The largest inbound frame, in bytes. A larger WebSocket frame closes the socket with 1009.
   * @default 65536
   */
  maxPayloadBytes?: number;
  /**
   * How many channels one connection may be subscribed to at once.
   * @default 100
   */
  maxSubscriptionsPerConnection?: number;
  /**
   * How many bytes may wait in one connection's outbound buffer before it is cut off with
   * 4008 (slow consumer).
   * @default 1048576
   */
  maxBufferedBytes?: number;
  /**
   * How many connections one principal (named by `auth.principalKey`) may hold on this node at
   * once. One more is refused: 4429 on WebSocket, HTTP 429 on SSE. `Infinity` turns it off.
   * @default 20
   */
  maxConnectionsPerPrincipal?: number;
  /**
   * How many connections one client IP (see `auth.trustProxy`) may hold on this node at once,
   * counting those still in their handshake. One more is refused: 4429, or HTTP 429.
   * `Infinity` turns it off. Sized for an office behind one NAT address (300 users with two
   * tabs each) while stopping one address that opens thousands (docs/security.md).
   * @default 1000
   */
  maxConnectionsPerIp?: number;
  /**
   * Bounds on a command frame's structure (depth, keys per object and in all, array length,
   * string length), checked before it is parsed into objects; a frame past one is `BAD_REQUEST`.
   * @default { maxDepth: 32, maxKeys: 256, maxTotalKeys: 512, maxArrayLength: 4096, maxStringLength: 65536 }
   */
  frameLimits?: FrameLimits;
  /**
   * The most per-field details a `VALIDATION_FAILED` carries; the rest are counted in its
   * `omitted`, so an error reply stays about the size of the request that caused it.
   * @default 20
   */
  maxValidationDetails?: number;
  /**
   * How long a handshake (rate limit, guards, caps) may take. One that takes longer is refused
   * with 1011 (HTTP 500 on SSE), so a hanging guard or a slow client cannot hold sockets open.
   * A WebSocket handshake that waited all of it for its turn in a storm (the transport takes up
   * at most 25 ms of handshakes a turn) is refused as busy instead: HTTP 503 with `Retry-After`,
   * before the upgrade.
   * @default 10000
   */
  handshakeTimeoutMs?: number;
  /**
   * How long a `POST` body may take to arrive, in milliseconds, from the moment the module starts
   * reading it. A body not complete by then is answered 408 and its socket closed, so a client
   * that declares a length and stops sending (a half-open POST) holds nothing for long.
   * @default 5000
   */
  bodyTimeoutMs?: number;
  /**
   * How many `POST` bodies one client IP (see `auth.trustProxy`) may have arriving at once on
   * this node. One more is refused at once: HTTP 429 `RATE_LIMITED` with `Retry-After`, before
   * a byte of it is read. `Infinity` turns it off.
   * @default 100
   */
  maxPendingBodiesPerIp?: number;
  /**
   * How many `POST`s bound to an SSE stream that is not on this node (looked up on the other
   * nodes, then forwarded to the stream's node) one principal may have in flight on this node
   * at once (an anonymous caller counts by address). One more is refused at once: HTTP 429
   * `RATE_LIMITED` with `Retry-After`.
   * @default 16
   */
  maxForwardedPerPrincipal?: number;
  /**
   * How many forwarded `POST`s (see `maxForwardedPerPrincipal`) this node may have in flight at
   * once, from every caller together. One more is refused at once: HTTP 503 `UNAVAILABLE` with
   * `Retry-After`.
   * @default 256
   */
  maxForwardedPerNode?: number;
}
