import type { Connection } from '../connection/connection.js';
import { BUILT_IN_EVENTS } from '../protocol/built-in-events.js';
import type { AnswerWriter } from './command.router.js';
import type { HandlerRegistry } from '../gateway/handler.registry.js';
import type { ChannelsEvents } from '../connection/channels.events.js';

/**
 * Times one command for `command.handled`: the result is read from the answer it was given
 * (`'ok'`, or the error frame's code), and the event is emitted once, when the router is done.
 * @internal
 */
export class CommandTimer {
  private readonly on: boolean;
  private readonly started: number;
  private result = 'ok';
  /** The channel the command names (`data.channel`), once it is parsed. */
  channel: string | undefined;

  constructor(
    private readonly events: ChannelsEvents,
    private readonly registry: HandlerRegistry,
    private readonly connection: Connection,
    /** The command's event, once it is known (`undefined`: a frame that did not parse). */
    public event: string | undefined,
  ) {
    this.on = events.listening('command.handled');
    this.started = this.on ? performance.now() : 0;
  }

  /** The writer that also notes the answer's result. */
  wrap(write: AnswerWriter): AnswerWriter {
    if (!this.on) return write;
    return (frame) => {
      if ('error' in frame) this.result = frame.error.code;
      write(frame);
    };
  }

  /** Emits `command.handled` (only when someone listens). */
  finish(): void {
    if (!this.on) return;
    const event = this.event;
    const known =
      event !== undefined && (BUILT_IN_EVENTS.has(event) || this.registry.messages.has(event));
    this.events.emit({
      type: 'command.handled',
      connection: this.connection,
      event,
      known,
      channel: this.channel,
      result: this.result,
      durationMs: performance.now() - this.started,
    });
  }
}
