import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode, type ValidationDetail } from '../protocol/frames.js';

const NOT_VALIDATED: ReadonlySet<unknown> = new Set([
  Object,
  String,
  Number,
  Boolean,
  Array,
  Symbol,
  BigInt,
  Date,
]);

/** The longest property path or message a detail repeats back, in characters. */
const MAX_DETAIL_TEXT = 200;

/**
 * Validates a payload whose declared type is a class, with class-transformer and
 * class-validator; the module adds it to every `@MessageBody()` unless `validation: false`.
 * A failure is `VALIDATION_FAILED` with one detail per field (its path and messages), at most
 * `maxDetails` of them, each path and message cut at 200 characters; the details left out are
 * counted in the error's `omitted`. A client's invented property names are so never echoed
 * back at more than a few times the size of the frame that carried them.
 *
 * @example new PayloadValidationPipe({ whitelist: true, forbidNonWhitelisted: true }, 20)
 */
export class PayloadValidationPipe implements PipeTransform {
  /**
   * @param options the class-validator options
   * @param maxDetails the most details one failure carries (default 20)
   */
  constructor(
    private readonly options: ValidatorOptions,
    private readonly maxDetails = 20,
  ) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    if (typeof metatype !== 'function' || NOT_VALIDATED.has(metatype)) return value;
    const property = typeof metadata.data === 'string' ? metadata.data : '';
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw failed([{ property, messages: [`${property || 'data'} must be an object`] }]);
    }
    const instance = plainToInstance(metatype as new () => object, value) as object;
    const errors = await validate(instance, this.options);
    if (errors.length > 0) throw failed(flatten(errors, property), this.maxDetails);
    return instance;
  }
}

function failed(all: ValidationDetail[], maxDetails = Infinity): ChannelsException {
  const details = all.slice(0, Math.max(0, maxDetails)).map((detail) => ({
    property: clip(detail.property),
    messages: detail.messages.slice(0, 4).map(clip),
  }));
  const omitted = all.length - details.length;
  return new ChannelsException(
    ErrorCode.VALIDATION_FAILED,
    omitted > 0
      ? `The message failed validation (${omitted} more problems left out).`
      : 'The message failed validation.',
    omitted > 0 ? { details, omitted } : { details },
  );
}

function clip(text: string): string {
  return text.length > MAX_DETAIL_TEXT ? `${text.slice(0, MAX_DETAIL_TEXT - 1)}…` : text;
}

function flatten(errors: ValidationError[], parent: string): ValidationDetail[] {
  return errors.flatMap((error) => {
    // A nested value of no known class fails as a whole (forbidUnknownValues), with no property.
    const own = error.property === undefined || error.property === '' ? undefined : error.property;
    const property = own === undefined ? parent : parent ? `${parent}.${own}` : own;
    const details = error.constraints
      ? [{ property, messages: Object.values(error.constraints) }]
      : [];
    return [...details, ...flatten(error.children ?? [], property)];
  });
}
