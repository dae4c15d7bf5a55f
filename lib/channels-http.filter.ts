import { Catch, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { ChannelsException } from './protocol/channels.exception.js';
import { HTTP_STATUS_BY_CODE } from './protocol/codes.js';
import type { ErrorFrame } from './protocol/frames.js';
import { retryAfterSeconds, sendErrorFrame } from './transports/http.responder.js';

/**
 * Answers a `ChannelsException` thrown in one of the app's own HTTP controllers as the module's
 * HTTP endpoints do: the code's status with the error body `{ "error": { code, message, … } }`,
 * and `Retry-After` (whole seconds) when it carries `retryAfterMs`. Without it Nest answers 500
 * to anything that is not an `HttpException`; with it, a `ChannelsService.publish` that found
 * the broker away (`UNAVAILABLE`) is a 503 with `Retry-After` the caller can act on, and a
 * `BAD_REQUEST` for a bad channel name a 400. It leaves the module's own commands alone (they
 * answer with error frames): in any other context than HTTP it passes the exception on.
 *
 * @example
 * // on a controller (or `app.useGlobalFilters(new ChannelsHttpExceptionFilter())`)
 * @Controller('notifications')
 * @UseFilters(ChannelsHttpExceptionFilter)
 * export class NotificationsController {
 *   constructor(private readonly channels: ChannelsService) {}
 *   @Post() notify(@Body() dto: NotifyDto) {
 *     return this.channels.publish(`user:${dto.userId}`, 'notification', dto); // 503 while Redis is away
 *   }
 * }
 */
@Catch(ChannelsException)
export class ChannelsHttpExceptionFilter implements ExceptionFilter<ChannelsException> {
  /**
   * @param adapterHost the platform's adapter (Express or Fastify), injected when Nest builds the
   *   filter; without it the answer is written to the Node response
   */
  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  catch(exception: ChannelsException, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const frame: ErrorFrame = { error: exception.toBody() };
    const response: unknown = host.switchToHttp().getResponse();
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) {
      // Express's response is Node's; Fastify's reply holds it as `raw`.
      const raw = (response as { raw?: ServerResponse }).raw ?? (response as ServerResponse);
      return sendErrorFrame(raw, frame);
    }
    const { retryAfterMs, status } = frame.error;
    if (retryAfterMs !== undefined)
      adapter.setHeader(response, 'Retry-After', retryAfterSeconds(retryAfterMs));
    adapter.reply(response, frame, status ?? HTTP_STATUS_BY_CODE[frame.error.code]);
  }
}
