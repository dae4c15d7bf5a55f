/**
 * A class whose instances a payload, reply or push has the shape of: a DTO with
 * class-validator decorators (the document describes its constraints), or a plain class (the
 * document says only that it is an object).
 * @example const source: Constructor<MarkReadDto> = MarkReadDto;
 */
export type Constructor<T = unknown> = abstract new (...args: never[]) => T;

/**
 * A JSON Schema object, as it appears in the AsyncAPI document.
 * @example const schema: JsonSchema = { type: 'string', minLength: 1 };
 */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * A type with no class behind it (an interface, a union, a primitive), and optionally its JSON
 * Schema by hand. Made with {@link shape}.
 * @example const count: Shape<number> = shape<number>({ type: 'integer', minimum: 0 });
 */
export interface Shape<T> {
  readonly kind: 'shape';
  /** The schema the document shows. @default {} (anything) */
  readonly schema?: JsonSchema;
  // Never set: it carries `T` for the compiler.
  readonly type?: T;
}

/**
 * Declares a payload, reply or push type that is not a class: the type checks the code, the
 * optional `schema` goes in the document.
 * @param schema the JSON Schema of the value @default {} (the document says "any value")
 * @example defineCommand('stats.get', { reply: shape<{ online: number }>({ type: 'object' }) })
 */
export function shape<T>(schema?: JsonSchema): Shape<T> {
  return schema === undefined ? { kind: 'shape' } : { kind: 'shape', schema };
}

/**
 * Where a declared type comes from: a class (a DTO, with or without class-validator
 * decorators) or a {@link shape}.
 * @example const reply: SchemaSource<UnreadCount> = UnreadCount;
 */
export type SchemaSource<T = unknown> = Constructor<T> | Shape<T>;

/**
 * The TypeScript type a {@link SchemaSource} stands for.
 * @example type Reply = TypeOfSource<typeof UnreadCountReply>; // UnreadCountReply
 */
export type TypeOfSource<S> =
  S extends Shape<infer T> ? T : S extends Constructor<infer T> ? T : unknown;
