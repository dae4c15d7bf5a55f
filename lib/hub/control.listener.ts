import { Injectable, Logger } from '@nestjs/common';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import type { Connection } from '../connection/connection.js';
import { BroadcastAdapter } from '../brokers/broadcast.adapter.js';
import type { ControlMessage, DisconnectControl } from '../brokers/control.message.js';

/**
 * Acts on the control messages other nodes send through the adapter, and sends this node's:
 * a disconnect reaches the connections of every node.
 * @example await control.disconnect({ type: 'disconnect', principalKey: 'alice', code: 4403, reason: 'banned' });
 */
@Injectable()
export class ControlListener {
  private readonly logger = new Logger('Channels');
  private readonly handlers = new Map<ControlMessage['type'], (message: ControlMessage) => void>();

  constructor(
    private readonly adapter: BroadcastAdapter,
    private readonly connections: ConnectionRegistry,
  ) {
    adapter.setControlListener((message) => this.handlers.get(message.type)?.(message));
    this.on('disconnect', (message) => this.closeLocal(message));
  }

  /** Registers the handler of one type of control message (one per type). */
  on<T extends ControlMessage['type']>(
    type: T,
    handler: (message: Extract<ControlMessage, { type: T }>) => void,
  ): void {
    this.handlers.set(type, handler as (message: ControlMessage) => void);
  }

  /**
   * Closes the matching connections of this node at once, and asks every other node to.
   * @returns how many were closed on this node
   */
  disconnect(message: DisconnectControl): number {
    const closed = this.closeLocal(message);
    this.adapter.publishControl(message).catch((error: unknown) => {
      this.logger.error(`Could not send a disconnect to the other nodes: ${String(error)}`);
    });
    return closed;
  }

  private closeLocal(message: DisconnectControl): number {
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
