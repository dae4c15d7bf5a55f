import { InMemoryHistoryStore, type HistoryRead, type StreamPosition } from '../../lib/index.js';

/** Where a gated read stops: before the history is read, or after it, before it returns. */
export type GatePoint = 'before-read' | 'after-read';

/**
 * The in-memory store, whose next `read` of one channel can be held at a chosen point, so a
 * test can publish while a subscribe is between its hold and its reply.
 */
export class GatedHistoryStore extends InMemoryHistoryStore {
  private gate?: { channel: string; point: GatePoint; reached: () => void; opened: Promise<void> };

  /**
   * Arms the gate for the next read of `channel`.
   * @returns `reached` (resolves when a read is held there) and `open` (lets it go on)
   */
  arm(channel: string, point: GatePoint): { reached: Promise<void>; open: () => void } {
    let open!: () => void;
    let reached!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.gate = { channel, point, reached, opened };
    return { reached: reachedPromise, open };
  }

  override async read(channel: string, since?: StreamPosition): Promise<HistoryRead> {
    const gate = this.gate?.channel === channel ? this.gate : undefined;
    if (gate) this.gate = undefined;
    if (gate?.point === 'before-read') {
      gate.reached();
      await gate.opened;
    }
    const result = await super.read(channel, since);
    if (gate?.point === 'after-read') {
      gate.reached();
      await gate.opened;
    }
    return result;
  }
}
