import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';

// Not classes with decorators: nothing to validate, an earlier pipe's result stands.
const PLAIN = new Set<unknown>([String, Number, Boolean, Object, Array]);
const rawPayload = new AsyncLocalStorage<{ payload: unknown }>();

/**
 * Runs `work` with `payload` as the command's raw payload, for {@link RawPayloadPipe}.
 * @example withRawPayload(data, () => run(client, data, meta));
 */
export function withRawPayload<T>(payload: unknown, work: () => T): T {
  return rawPayload.run({ payload }, work);
}

/**
 * Runs the module's payload validation on the payload as the client sent it, whatever the
 * pipes before it (the app's global `ValidationPipe({ whitelist: true })`, which would strip an
 * unknown property silently) made of it: the documented validation (`VALIDATION_FAILED` for
 * an unknown property) holds in every app. The app's pipes still run first, and may refuse.
 */
export class RawPayloadPipe implements PipeTransform {
  constructor(private readonly validation: PipeTransform) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const store = rawPayload.getStore();
    const { metatype } = metadata;
    if (!store || typeof metatype !== 'function' || PLAIN.has(metatype)) {
      return this.validation.transform(value, metadata);
    }
    const { payload } = store;
    const raw =
      typeof metadata.data === 'string'
        ? typeof payload === 'object' && payload !== null
          ? (payload as Record<string, unknown>)[metadata.data]
          : undefined
        : payload;
    const checked = await this.validation.transform(raw, metadata);
    // Valid as sent: what an earlier pipe (a user's, on this parameter) made of it is kept.
    return value === raw ? checked : this.validation.transform(value, metadata);
  }
}
