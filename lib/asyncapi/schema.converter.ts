import type { JsonSchema } from '../contract/schema.source.js';

/** Every class-validator DTO's JSON Schema, by class name. */
export type SchemasByName = Record<string, JsonSchema>;

/**
 * Loads `class-validator-jsonschema` (an optional peer dependency) and converts every DTO that
 * class-validator knows into JSON Schema. Without the package the document is still made,
 * with every class described only as an object, and `warn` says how to get the rest.
 */
export async function loadDtoSchemas(
  refPrefix: string,
  warn: (message: string) => void,
  // Tests name a package that is not installed, to take the path of an app without it.
  converterPackage = 'class-validator-jsonschema',
): Promise<SchemasByName> {
  const converter = await optionalImport<{
    validationMetadatasToSchemas(options: Record<string, unknown>): SchemasByName;
  }>(converterPackage);
  if (!converter) {
    warn(
      'class-validator-jsonschema is not installed: the AsyncAPI document describes DTOs only as objects. `npm i class-validator-jsonschema` for their constraints.',
    );
    return {};
  }
  // `@Type(() => Item)` on nested arrays lives in class-transformer's storage. The package has
  // no `exports` map, so both module systems load its CommonJS build: one shared storage.
  const transformer = await optionalImport<{ defaultMetadataStorage: unknown }>(
    'class-transformer/cjs/storage.js',
  );
  return converter.validationMetadatasToSchemas({
    refPointerPrefix: refPrefix,
    ...(transformer ? { classTransformerMetadataStorage: transformer.defaultMetadataStorage } : {}),
  });
}

// A variable specifier: the compiler neither resolves it nor needs its types, and the CommonJS
// build turns it into a `require` that happens only here, when a document is made.
async function optionalImport<T>(specifier: string): Promise<T | undefined> {
  try {
    const loaded = (await import(specifier)) as T & { default?: T };
    return pick(loaded, loaded.default);
  } catch (error) {
    if ((error as { code?: string }).code?.includes('MODULE_NOT_FOUND')) return undefined;
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

// ESM sees a CommonJS module's exports as named exports, or only as `default`.
function pick<T>(namespace: T, fallback: T | undefined): T {
  const keys = Object.keys(namespace as object).filter((key) => key !== 'default');
  return keys.length > 0 || fallback === undefined ? namespace : fallback;
}
