/**
 * The commands of one connection that have been read and not yet answered, and a close that
 * waits for them: a close the server decides for a reason other than the client's own reading
 * (4429 after repeated rate-limit refusals) must not swallow the answers it owes.
 *
 * From the moment the close is decided no further command is taken (see `accepting`); the close
 * itself happens once every command taken before has settled, or after `graceMs` at most.
 *
 * @example
 * const gate = new AnswersBeforeClose((code, reason) => socket.close(code, reason));
 * gate.started(); // a command was read
 * gate.close(4429, 'Rate limit exceeded repeatedly.', 5_000); // waits for it
 * gate.settled(); // its answer is written: the close happens now
 */
export class AnswersBeforeClose {
  private inFlight = 0;
  private decided?: { code: number; reason: string; timer: NodeJS.Timeout };
  private done = false;

  constructor(private readonly closeNow: (code: number, reason: string) => void) {}

  /** Whether a command read now is still taken: false once a close is decided. */
  get accepting(): boolean {
    return this.decided === undefined && !this.done;
  }

  /** Counts a command that was read; its answer is owed before any decided close. */
  started(): void {
    this.inFlight++;
  }

  /** The command counted by {@link started} has been answered (or needs no answer). */
  settled(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.decided) this.finish();
  }

  /**
   * Closes with `code` once every command taken so far has settled, at once when none is in
   * flight, and at the latest after `graceMs` (a handler that never ends cannot hold the
   * connection open). A second call while one waits changes nothing: the first reason stands.
   */
  close(code: number, reason: string, graceMs: number): void {
    if (this.decided || this.done) return;
    if (this.inFlight === 0) {
      this.done = true;
      return this.closeNow(code, reason);
    }
    const timer = setTimeout(() => this.finish(), graceMs);
    timer.unref();
    this.decided = { code, reason, timer };
  }

  /** The connection closed by another way: the decided close, if any, is dropped. */
  dispose(): void {
    this.done = true;
    if (this.decided) clearTimeout(this.decided.timer);
  }

  private finish(): void {
    // Once: the grace timer and the last answer may both come.
    if (this.done) return;
    const decided = this.decided!;
    clearTimeout(decided.timer);
    this.done = true;
    this.closeNow(decided.code, decided.reason);
  }
}
