import { IsString, MinLength } from 'class-validator';
import { loadDtoSchemas } from '../../../lib/asyncapi/schema.converter.js';
import { SchemaRegistry } from '../../../lib/asyncapi/schema.registry.js';

class ConvertedDto {
  @IsString() @MinLength(3) name!: string;
}

describe('DTO schemas (class-validator-jsonschema, an optional peer)', () => {
  it('converts class-validator constraints when the package is installed', async () => {
    const warnings: string[] = [];
    const known = await loadDtoSchemas('#/components/schemas/', (w) => warnings.push(w));
    expect(warnings).toEqual([]);
    const registry = new SchemaRegistry(known);
    expect(registry.schemaOf(ConvertedDto)).toEqual({ $ref: '#/components/schemas/ConvertedDto' });
    expect(registry.used.ConvertedDto).toMatchObject({
      properties: { name: { type: 'string', minLength: 3 } },
      required: ['name'],
    });
  });

  it('without it, warns once and describes every class as an object instead of failing', async () => {
    const warnings: string[] = [];
    const known = await loadDtoSchemas(
      '#/components/schemas/',
      (w) => warnings.push(w),
      'class-validator-jsonschema-not-installed',
    );
    expect(known).toEqual({});
    expect(warnings).toEqual([expect.stringContaining('npm i class-validator-jsonschema')]);
    const registry = new SchemaRegistry(known);
    registry.schemaOf(ConvertedDto);
    expect(registry.used.ConvertedDto).toMatchObject({ type: 'object', title: 'ConvertedDto' });
  });

  it('maps primitives and shapes without a component', () => {
    const registry = new SchemaRegistry({});
    expect(registry.schemaOf(String)).toEqual({ type: 'string' });
    expect(registry.schemaOf(Number)).toEqual({ type: 'number' });
    expect(registry.schemaOf(Object)).toEqual({});
    expect(registry.schemaOf(undefined)).toEqual({});
    expect(registry.schemaOf({ kind: 'shape', schema: { type: 'integer' } })).toEqual({
      type: 'integer',
    });
    expect(registry.used).toEqual({});
  });
});
