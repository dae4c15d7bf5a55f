import {
  backoffCeiling,
  backoffDelay,
  DEFAULT_BACKOFF,
  longDelay,
  resolveBackoff,
} from '../../lib/client/backoff.js';

describe('reconnect backoff (full jitter)', () => {
  it('doubles the ceiling from 0.5 s and caps it at 20 s by default', () => {
    const ceilings = Array.from({ length: 9 }, (_, attempt) => backoffCeiling(attempt));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000]);
  });

  it('draws each delay uniformly between 0 and the ceiling', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.5)).toBe(250);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999)).toBe(3996);
    expect(backoffDelay(50, DEFAULT_BACKOFF, () => 0.999)).toBe(19980);
  });

  it('follows the whole schedule for a sequence of random draws', () => {
    const draws = [0.1, 0.9, 0.5, 0.25, 1, 0.75, 0.3];
    const delays = draws.map((r, attempt) => backoffDelay(attempt, DEFAULT_BACKOFF, () => r));
    expect(delays).toEqual([50, 900, 1000, 1000, 8000, 12000, 6000]);
  });

  it('takes custom options, and clamps a misbehaving random source', () => {
    const options = resolveBackoff({ initialMs: 100, maxMs: 1000, factor: 3 });
    expect([0, 1, 2, 3].map((a) => backoffCeiling(a, options))).toEqual([100, 300, 900, 1000]);
    expect(backoffDelay(1, options, () => 7)).toBe(300);
    expect(backoffDelay(1, options, () => -1)).toBe(0);
    expect(backoffDelay(1, options, () => NaN)).toBe(0);
  });

  it('rejects options that make no sense', () => {
    expect(() => resolveBackoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => resolveBackoff({ initialMs: 1000, maxMs: 10 })).toThrow(RangeError);
    expect(() => resolveBackoff({ factor: 0.5 })).toThrow(RangeError);
  });

  it('gives 4429 a long delay: half to all of the base, never before Retry-After', () => {
    expect(longDelay(30_000, () => 0)).toBe(15_000);
    expect(longDelay(30_000, () => 0.5)).toBe(22_500);
    expect(longDelay(30_000, () => 1)).toBe(30_000);
    expect(longDelay(30_000, () => 0, 45_000)).toBe(45_000);
  });
});
