import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Broker } from '../brokers/broker.js';
import type { CommandControl, CommandResultControl } from '../brokers/broker.message.js';
import type { ErrorFrame, ReplyFrame } from '../protocol/frames.js';
import { BrokerGate } from '../hub/broker.gate.js';

/** How long a forwarded command waits for the node that holds its stream. */
const FORWARD_TIMEOUT_MS = 5_000;

interface Pending {
  resolve(frame: ReplyFrame | ErrorFrame | null | undefined): void;
  timer: NodeJS.Timeout;
}

/**
 * Carries a `POST {path}/messages` bound to an SSE stream of another node there, and its
 * answer back, as broker control messages. The module's dispatcher hands it the answers
 * ({@link settle}); the commands go to `SseCommandHandler.runForwarded` on the stream's node.
 */
@Injectable()
export class SseCommandForwarder {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly broker: Broker,
    private readonly gate: BrokerGate,
  ) {}

  /** Whether other nodes may hold streams (the broker is shared). */
  get enabled(): boolean {
    return this.broker.distributed;
  }

  /**
   * Sends a command to the node that holds its stream.
   * @returns the answer; `null` for a command without id that succeeded; `undefined` when no
   *   node answered in time (no node holds the stream)
   * @throws ChannelsException `UNAVAILABLE` while the broker cannot be reached
   */
  async forward(
    command: Pick<CommandControl, 'connectionId' | 'principalKey' | 'body'>,
  ): Promise<ReplyFrame | ErrorFrame | null | undefined> {
    const requestId = randomUUID();
    const answered = new Promise<ReplyFrame | ErrorFrame | null | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve(undefined);
      }, FORWARD_TIMEOUT_MS).unref();
      this.pending.set(requestId, { resolve, timer });
    });
    try {
      // While the broker is away: the retryable UNAVAILABLE, at once.
      await this.gate.run('control', () =>
        this.broker.publishControl({
          type: 'command',
          requestId,
          replyTo: this.broker.nodeId,
          ...command,
        }),
      );
    } catch (error) {
      clearTimeout(this.pending.get(requestId)?.timer);
      this.pending.delete(requestId);
      throw error;
    }
    return answered;
  }

  /** Sends the answer of a forwarded command back to the node that forwarded it. */
  async answer(message: CommandControl, frame: ReplyFrame | ErrorFrame | null): Promise<void> {
    await this.broker.publishControl({
      type: 'command-result',
      requestId: message.requestId,
      to: message.replyTo,
      frame,
    });
  }

  /** An answer arrived: the forward waiting for it resolves. */
  settle(message: CommandResultControl): void {
    if (message.to !== this.broker.nodeId) return;
    const waiting = this.pending.get(message.requestId);
    if (!waiting) return;
    this.pending.delete(message.requestId);
    clearTimeout(waiting.timer);
    waiting.resolve(message.frame);
  }
}
