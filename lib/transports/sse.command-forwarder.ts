import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BroadcastAdapter } from '../brokers/broadcast.adapter.js';
import type { CommandControl } from '../brokers/control.message.js';
import { ControlListener } from '../hub/control.listener.js';
import type { ErrorFrame, ReplyFrame } from '../protocol/frames.js';

/** How long a POST waits for the node that holds its SSE stream to answer. */
const FORWARD_TIMEOUT_MS = 5_000;

interface Pending {
  resolve(frame: ReplyFrame | ErrorFrame | null | undefined): void;
  timer: NodeJS.Timeout;
}

/**
 * Sends a `POST {path}/messages` command bound to an SSE stream that is not on this node to
 * every other node through the broadcast adapter; the node that holds the stream runs it and
 * sends the answer back. So no sticky sessions are needed: a load balancer may send each POST
 * anywhere.
 * @example const answer = await forwarder.forward({ connectionId, principalKey, body });
 */
@Injectable()
export class SseCommandForwarder {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly adapter: BroadcastAdapter,
    private readonly control: ControlListener,
  ) {
    control.on('command-result', (message) => {
      if (message.to !== this.nodeId) return;
      const waiting = this.pending.get(message.requestId);
      if (!waiting) return;
      this.pending.delete(message.requestId);
      clearTimeout(waiting.timer);
      waiting.resolve(message.frame);
    });
  }

  /** Whether other nodes may hold streams (the adapter reaches them). */
  get enabled(): boolean {
    return this.adapter.nodeId !== undefined;
  }

  /** Runs `handler` for every command another node forwards here. */
  onCommand(handler: (message: CommandControl) => void): void {
    this.control.on('command', handler);
  }

  /**
   * Sends a command to the node holding its stream.
   * @returns its reply or error frame; `null` for a command without id that succeeded;
   *   `undefined` when no node holds such a stream of this principal (no answer in time)
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
      await this.adapter.publishControl({
        type: 'command',
        requestId,
        replyTo: this.nodeId!,
        ...command,
      });
    } catch (error) {
      clearTimeout(this.pending.get(requestId)?.timer);
      this.pending.delete(requestId);
      throw error;
    }
    return answered;
  }

  /** Sends the answer of a forwarded command back to the node that waits for it. */
  async answer(message: CommandControl, frame: ReplyFrame | ErrorFrame | null): Promise<void> {
    await this.adapter.publishControl({
      type: 'command-result',
      requestId: message.requestId,
      to: message.replyTo,
      frame,
    });
  }

  private get nodeId(): string | undefined {
    return this.adapter.nodeId;
  }
}
