import { Logger, type INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA } from '../gateway/gateway.constants.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { buildAsyncApiDocument } from './asyncapi.document.js';
import type { AsyncApiDocument, AsyncApiOptions } from './asyncapi.options.js';
import { readGateways } from './gateway.reader.js';
import { loadDtoSchemas } from './schema.converter.js';
import { SCHEMA_REF_PREFIX, SchemaRegistry } from './schema.registry.js';

const logger = new Logger('ChannelsAsyncApi');

/**
 * The AsyncAPI 3.0 document of an app's channel gateways, made from their decorators and DTOs
 * (class-validator constraints become JSON Schema with `class-validator-jsonschema`, when it is
 * installed). Call it after `NestFactory.create`; `ChannelsAsyncApiModule` serves it over HTTP.
 * @example
 * const app = await NestFactory.create(AppModule);
 * writeFileSync('asyncapi.json', JSON.stringify(await createAsyncApiDocument(app), null, 2));
 */
export async function createAsyncApiDocument(
  app: Pick<INestApplicationContext, 'get'>,
  options: AsyncApiOptions = {},
): Promise<AsyncApiDocument> {
  return documentFor(app.get(ModulesContainer), channelsPath(app), options);
}

/** The document for the gateways registered in `container`. */
export async function documentFor(
  container: ModulesContainer,
  path: string,
  options: AsyncApiOptions,
): Promise<AsyncApiDocument> {
  const gateways = new Set<Function>();
  for (const module of container.values()) {
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype as Function | null | undefined;
      if (typeof type === 'function' && Reflect.getMetadata(GATEWAY_METADATA, type) === true)
        gateways.add(type);
    }
  }
  const known = await loadDtoSchemas(SCHEMA_REF_PREFIX, (message) => logger.warn(message));
  return buildAsyncApiDocument(readGateways([...gateways]), new SchemaRegistry(known), {
    ...options,
    channelsPath: path,
  });
}

/** The `path` option of `ChannelsModule`, or its default when the app has none. */
export function channelsPath(app: Pick<INestApplicationContext, 'get'>): string {
  try {
    return app.get<ChannelsSettings>(CHANNELS_SETTINGS, { strict: false }).path;
  } catch {
    return '/channels';
  }
}
