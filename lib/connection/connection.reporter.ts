import type { Connection } from './connection.js';
import type { TransportName } from './handshake.js';
import { HttpException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ChannelsException } from '../protocol/channels.exception.js';
import { toErrorBody } from '../protocol/error-body.mapper.js';
import { CloseCode } from '../protocol/frames.js';
import type { ChannelsEvents } from './channels.events.js';

/**
 * Reports a registered connection: `connection.opened`. The registry calls it, and
 * {@link reportClosed} when it closes, for both transports, so there is one place where
 * connections begin and end.
 * @example reportOpened(this.events, connection);
 */
export function reportOpened(events: ChannelsEvents, connection: Connection): void {
  events.emit({ type: 'connection.opened', connection, transport: connection.transport });
}

/**
 * Reports a closed connection: `connection.slow` (for a 4008), then `connection.closed`.
 * @example connection.onClose(() => reportClosed(this.events, connection));
 */
export function reportClosed(events: ChannelsEvents, connection: Connection): void {
  const transport = connection.transport;
  // A connection torn down without a close of its own (its socket dropped) ended abnormally.
  const { code, by } = connection.closeInfo ?? { code: 1006, by: 'client' as const };
  if (code === CloseCode.SLOW_CONSUMER)
    events.emit({ type: 'connection.slow', connection, transport });
  events.emit({ type: 'connection.closed', connection, transport, code, by });
}

/**
 * Reports a refused handshake and gives the error back, to be thrown on.
 * @example throw reportRefusal(this.events, 'websocket', error);
 */
export function reportRefusal(
  events: ChannelsEvents,
  transport: TransportName,
  error: unknown,
): unknown {
  if (events.listening('handshake.refused'))
    events.emit({ type: 'handshake.refused', transport, reason: errorCodeOf(error), error });
  return error;
}

// The code the client is answered with, without logging: the transport logs a server fault once.
function errorCodeOf(error: unknown): string {
  if (error instanceof ChannelsException) return error.toBody().code;
  if (error instanceof WsException) return toErrorBody(error).code;
  if (error instanceof HttpException && error.getStatus() < 500) return toErrorBody(error).code;
  return 'INTERNAL';
}
