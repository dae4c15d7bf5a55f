import { SetMetadata } from '@nestjs/common';
import { RATE_LIMIT_METADATA } from '../../gateway/gateway.constants.js';
import { checkBudget, type RateLimitBudget } from '../../settings/rate-limit.budgets.js';

/**
 * Gives an `@OnMessage` event its own budget per connection (or per `rateLimit.key`), in
 * place of the connection's shared message budget: tighter for an expensive event, looser for
 * a chatty one. Over it, the command is answered `RATE_LIMITED` with `retryAfterMs`, and the
 * rejection counts towards the abuse threshold (4429).
 *
 * @example
 * @OnMessage('message.send')
 * @RateLimit({ points: 5, durationMs: 10_000 })
 * send(@MessageBody() dto: SendMessageDto) {}
 */
export function RateLimit(budget: RateLimitBudget): MethodDecorator {
  return SetMetadata(RATE_LIMIT_METADATA, checkBudget({ ...budget }, '@RateLimit'));
}
