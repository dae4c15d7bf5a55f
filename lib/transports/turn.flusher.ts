/**
 * Something that gathers writes during an event-loop turn and writes them out at its end.
 * @example class Batch implements TurnFlushable { flush() { socket.write(Buffer.concat(parts)); } }
 */
export interface TurnFlushable {
  /** Writes out what was gathered; called once per turn in which it was scheduled. */
  flush(): void;
}

let due: TurnFlushable[] = [];
let spare: TurnFlushable[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  // Swap the lists: a flush that schedules again (a socket whose sender was busy) lands in
  // the next turn, not in this loop.
  const list = due;
  due = spare;
  spare = list;
  for (let i = 0; i < list.length; i++) {
    try {
      list[i]!.flush();
    } catch {
      // One broken socket must not keep the others' writes back; its close event follows.
    }
  }
  list.length = 0;
}

/**
 * Asks for `target.flush()` at the end of this event-loop turn (`setImmediate`, after the I/O
 * callbacks of the turn, not `process.nextTick`): the pushes triggered by several requests
 * handled in one turn then leave every socket in one write. The caller schedules a target at
 * most once per turn (it keeps its own flag).
 *
 * @example if (!this.flushDue) { this.flushDue = true; flushAtEndOfTurn(this); }
 */
export function flushAtEndOfTurn(target: TurnFlushable): void {
  due.push(target);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}
