import { ChannelsError } from '../../lib/client/channels.error.js';
import { UnavailableRetries, unavailableDelay } from '../../lib/client/unavailable.retry.js';

describe('retries of commands answered UNAVAILABLE', () => {
  it('waits at least retryAfterMs, doubling up to 8 times it, spread up to twice that', () => {
    const floors = [0, 1, 2, 3, 4, 10].map((attempt) => unavailableDelay(attempt, 1000, () => 0));
    expect(floors).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(unavailableDelay(0, 1000, () => 0.5)).toBe(1500);
    expect(unavailableDelay(3, 250, () => 0.999)).toBe(3998);
    // No retryAfterMs (or a nonsensical one): 1 s; a misbehaving random source is clamped.
    expect(unavailableDelay(0, undefined, () => 0)).toBe(1000);
    expect(unavailableDelay(0, -5, () => 7)).toBe(2000);
    expect(unavailableDelay(0, 1000, () => NaN)).toBe(1000);
  });

  it('retries only UNAVAILABLE, at most `retries` times', () => {
    const retries = new UnavailableRetries(2, () => 0);
    const unavailable = new ChannelsError('UNAVAILABLE', 'away', { retryAfterMs: 300 });
    expect([0, 1, 2].map((attempt) => retries.delayFor(attempt, unavailable))).toEqual([
      300,
      600,
      undefined,
    ]);
    expect(retries.delayFor(0, new ChannelsError('INTERNAL', 'no'))).toBeUndefined();
    expect(retries.delayFor(0, new Error('no'))).toBeUndefined();
  });

  it('sends again until an answer is not UNAVAILABLE, and not past the deadline', async () => {
    const retries = new UnavailableRetries(5, () => 0);
    const answers = ['UNAVAILABLE', 'UNAVAILABLE', 'ok'];
    let sent = 0;
    const send = async () => {
      const answer = answers[sent++]!;
      if (answer !== 'ok') throw new ChannelsError('UNAVAILABLE', 'away', { retryAfterMs: 10 });
      return answer;
    };
    await expect(retries.run(send)).resolves.toBe('ok');
    expect(sent).toBe(3);

    sent = 0;
    // The first wait (10 ms) fits before the deadline, the second (20 ms) does not.
    await expect(retries.run(send, Date.now() + 25)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(sent).toBe(2);
  });

  it('fails the commands waiting to be sent again when the client closes', async () => {
    const retries = new UnavailableRetries(5, () => 0);
    let sent = 0;
    const waiting = retries.run(async () => {
      sent++;
      throw new ChannelsError('UNAVAILABLE', 'away', { retryAfterMs: 60_000 });
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    retries.cancelAll(new ChannelsError('CLOSED', 'The client was closed.'));
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    expect(sent).toBe(1);
  });
});
