import { DeadlineQueue } from '../../../lib/connection/deadline.queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeadlineQueue', () => {
  it('calls each item once, in deadline order, on one shared timer', async () => {
    const due: string[] = [];
    const queue = new DeadlineQueue<string>((item) => due.push(item));
    const now = Date.now();
    queue.add('c', now + 60);
    queue.add('a', now + 20);
    queue.add('b', now + 40);
    queue.add('never', now + 10_000_000);
    await sleep(150);
    expect(due).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(1);
    queue.clear();
  });

  it('forgets an item deleted before its deadline, wherever it sits in the heap', async () => {
    const due: number[] = [];
    const queue = new DeadlineQueue<number>((item) => due.push(item));
    const now = Date.now();
    for (let i = 0; i < 50; i++) queue.add(i, now + 20 + ((i * 7) % 50));
    for (let i = 0; i < 50; i += 3) queue.delete(i);
    queue.delete(999);
    await sleep(150);
    const kept = Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 3 !== 0);
    expect([...due].sort((x, y) => x - y)).toEqual(kept);
    const at = (i: number) => (i * 7) % 50;
    for (let k = 1; k < due.length; k++)
      expect(at(due[k]!)).toBeGreaterThanOrEqual(at(due[k - 1]!));
    expect(queue.size).toBe(0);
  });

  it('moves an item added twice to its new deadline', async () => {
    const due: string[] = [];
    const queue = new DeadlineQueue<string>((item) => due.push(item));
    queue.add('x', Date.now() + 10_000);
    queue.add('x', Date.now() + 10);
    expect(queue.size).toBe(1);
    await sleep(80);
    expect(due).toEqual(['x']);
  });
});
