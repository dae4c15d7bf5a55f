import { ChannelsException } from '../../../lib/index.js';
import { asUnavailable, isRedisConnectionError } from '../../../lib/redis/redis.errors.js';
import { redisRetryStrategy } from '../../../lib/redis/redis.reconnect.js';

describe('Redis connection errors and reconnects', () => {
  it('tells a Redis that cannot be reached or cannot serve from a command that is wrong', () => {
    const reachable = [
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      new Error("Cluster isn't ready and enableOfflineQueue options is false"),
      new Error('Connection is closed.'),
      new Error('Reached the max retries per request limit (which is 20).'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
      new Error('LOADING Redis is loading the dataset in memory'),
      new Error('READONLY You can not write against a read only replica.'),
    ];
    const wrong = [
      new Error('ERR Error running script: user_script:1: bad argument'),
      new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
      new TypeError("Cannot read properties of undefined (reading 'e')"),
      'Connection is closed.',
    ];
    expect(reachable.map(isRedisConnectionError)).toEqual(reachable.map(() => true));
    expect(wrong.map(isRedisConnectionError)).toEqual(wrong.map(() => false));
    expect(asUnavailable(reachable[0])).toBeInstanceOf(ChannelsException);
    expect(asUnavailable(reachable[0])).toMatchObject({ code: 'UNAVAILABLE' });
    expect(asUnavailable(wrong[0])).toBe(wrong[0]);
  });

  it('reconnects after 20, 40, 80 ms, then every 100 ms however long Redis is away', () => {
    const delays = [1, 2, 3, 4, 5, 50, 10_000].map(redisRetryStrategy);
    expect(delays).toEqual([20, 40, 80, 100, 100, 100, 100]);
  });
});
