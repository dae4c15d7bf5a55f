import type { Provider } from '@nestjs/common';
import { ForwardedRateLimiter } from '../rate-limit/forwarded-rate.limiter.js';
import { ForwardedQuota } from './forwarded.quota.js';
import { HttpBodyReader } from './http-body.reader.js';
import { SseForwardedPost } from './sse.forwarded-post.js';
import { SseStreamLocator } from './sse.stream-locator.js';

/**
 * @internal The providers that bound `POST {path}/messages`: the body reader (deadline, cap per
 * address), and for a POST bound to a stream on another node the in-flight caps, the
 * `rateLimits.forwarded` budget and the stream lookup.
 */
export const ssePostProviders: Provider[] = [
  HttpBodyReader,
  ForwardedQuota,
  ForwardedRateLimiter,
  SseStreamLocator,
  SseForwardedPost,
];
