import type { JsonSchema, Shape } from '../contract/schema.source.js';
import type { SchemasByName } from './schema.converter.js';

/** Where the document's shared schemas live. */
export const SCHEMA_REF_PREFIX = '#/components/schemas/';

const PRIMITIVES = new Map<unknown, JsonSchema>([
  [String, { type: 'string' }],
  [Number, { type: 'number' }],
  [Boolean, { type: 'boolean' }],
  [Array, { type: 'array' }],
  [Object, {}],
]);

/**
 * The schemas one document refers to: a class becomes a `$ref` to its schema under
 * `components.schemas`, with every schema it refers to in turn; a plain class with no
 * class-validator decorators becomes an object with its name, never an error.
 */
export class SchemaRegistry {
  /** The schemas referred to so far, by name. */
  readonly used: Record<string, JsonSchema> = {};

  constructor(private readonly known: SchemasByName) {}

  /** The schema for a class, a `shape<T>()`, or nothing known (any value). */
  schemaOf(source: unknown): JsonSchema {
    if (source === undefined || source === null) return {};
    if (isShape(source)) return source.schema ?? {};
    if (typeof source !== 'function') return {};
    const primitive = PRIMITIVES.get(source);
    if (primitive) return { ...primitive };
    const name = (source as { name?: string }).name;
    if (!name) return { type: 'object' };
    this.use(name);
    return { $ref: SCHEMA_REF_PREFIX + name };
  }

  private use(name: string): void {
    if (this.used[name]) return;
    const schema = this.known[name];
    if (!schema) {
      this.used[name] = {
        type: 'object',
        title: name,
        description: `${name} declares no class-validator constraints: its properties are not described.`,
      };
      return;
    }
    this.used[name] = schema;
    for (const ref of refsIn(schema)) this.use(ref);
  }
}

function isShape(value: unknown): value is Shape<unknown> {
  return typeof value === 'object' && (value as { kind?: unknown }).kind === 'shape';
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF_PREFIX)) {
        found.push(inner.slice(SCHEMA_REF_PREFIX.length));
      } else refsIn(inner, found);
    }
  }
  return found;
}
