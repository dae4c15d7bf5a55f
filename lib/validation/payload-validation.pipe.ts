import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { ChannelsException } from '../exceptions/channels.exception.js';
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

/**
 * Validates a payload whose declared type is a class, with class-transformer and
 * class-validator; the module adds it to every `@MessageBody()` unless `validation: false`.
 * A failure is `VALIDATION_FAILED` with one detail per field (its path and messages).
 *
 * @example new PayloadValidationPipe({ whitelist: true, forbidNonWhitelisted: true })
 */
export class PayloadValidationPipe implements PipeTransform {
  constructor(private readonly options: ValidatorOptions) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    if (typeof metatype !== 'function' || NOT_VALIDATED.has(metatype)) return value;
    const property = typeof metadata.data === 'string' ? metadata.data : '';
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw failed([{ property, messages: [`${property || 'data'} must be an object`] }]);
    }
    const instance = plainToInstance(metatype as new () => object, value) as object;
    const errors = await validate(instance, this.options);
    if (errors.length > 0) throw failed(flatten(errors, property));
    return instance;
  }
}

function failed(details: ValidationDetail[]): ChannelsException {
  return new ChannelsException(ErrorCode.VALIDATION_FAILED, 'The message failed validation.', {
    details,
  });
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
