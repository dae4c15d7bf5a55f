import { Injectable, Logger } from '@nestjs/common';
import { Broker } from '../brokers/broker.js';
import type { DisconnectControl } from '../brokers/broker.message.js';
import type { Connection } from '../connection/connection.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';

/**
 * Closes connections on every node: this node's at once, the others' through a broker
 * control message (which the module's dispatcher hands to {@link closeLocal} there).
 * @example disconnector.disconnect({ type: 'disconnect', principalKey: 'alice', code: 4403, reason: 'banned' });
 */
@Injectable()
export class Disconnector {
  private readonly logger = new Logger('Channels');

  constructor(
    private readonly broker: Broker,
    private readonly connections: ConnectionRegistry,
  ) {}

  /**
   * Closes the matching connections of this node at once, and asks every other node to.
   * @returns how many were closed on this node
   */
  disconnect(message: DisconnectControl): number {
    const closed = this.closeLocal(message);
    if (this.broker.distributed) {
      this.broker.publishControl(message).catch((error: unknown) => {
        this.logger.error(`Could not send a disconnect to the other nodes: ${String(error)}`);
      });
    }
    return closed;
  }

  /** Closes this node's connections that match. @returns how many */
  closeLocal(message: DisconnectControl): number {
    const found: Connection[] = [];
    if (message.connectionId !== undefined) {
      const connection = this.connections.get(message.connectionId);
      if (connection) found.push(connection);
    } else if (message.principalKey !== undefined) {
      found.push(...this.connections.ofPrincipal(message.principalKey));
    }
    for (const connection of found) connection.close(message.code, message.reason);
    return found.length;
  }
}
