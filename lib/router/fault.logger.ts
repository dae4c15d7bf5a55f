import { Logger } from '@nestjs/common';
import { isServerFault } from '../protocol/error-body.mapper.js';

const logger = new Logger('Channels');
// An error logged where it was caught first is not logged again where it is answered.
const logged = new WeakSet<object>();

/**
 * Where a fault happened, for its one log line: never a token or a payload.
 * @example { where: 'command', event: 'chat.send', connectionId: 'c1', principal: 'alice' }
 */
export interface FaultContext {
  /** `handshake` or `command` (or another step). */
  where: string;
  /** The command's event. */
  event?: string;
  connectionId?: string;
  /** The principal's key (`principalKey`), never the credential. */
  principal?: string;
  transport?: string;
  ip?: string;
}

/**
 * Logs a server fault once, at ERROR, with its context and stack; a client's mistake is not
 * logged at all (the client got its error frame). Returns whether it logged.
 * @example logFault(error, { where: 'command', event: command.event, connectionId: c.id });
 */
export function logFault(error: unknown, context: FaultContext): boolean {
  if (!isServerFault(error)) return false;
  if (typeof error === 'object' && error !== null) {
    if (logged.has(error)) return false;
    logged.add(error);
  }
  const fields = Object.entries(context)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  logger.error(`Unhandled error (${fields}): ${detail}`);
  return true;
}
