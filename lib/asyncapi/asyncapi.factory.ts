import { Logger, type INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA } from '../gateway/gateway.constants.js';
import { readApp, type AppLike } from './app.reader.js';
import { buildAsyncApiDocument } from './asyncapi.document.js';
import { handshakeSecurity } from './handshake.security.js';
import type { AsyncApiDocument, AsyncApiOptions } from './asyncapi.options.js';
import { readGateways } from './gateway.reader.js';
import { loadDtoSchemas } from './schema.converter.js';
import { SCHEMA_REF_PREFIX, SchemaRegistry } from './schema.registry.js';

const logger = new Logger('ChannelsAsyncApi');

/**
 * The AsyncAPI 3.0 document of an app's channel gateways, made from their decorators and DTOs
 * (class-validator constraints become JSON Schema with `class-validator-jsonschema`, when it is
 * installed), with the handshake's security and the app's address. Call it after
 * `NestFactory.create` (after `listen` for the listening address in `servers`);
 * `ChannelsAsyncApiModule` serves it over HTTP.
 * @example
 * const app = await NestFactory.create(AppModule);
 * writeFileSync('asyncapi.json', JSON.stringify(await createAsyncApiDocument(app, { host: 'api.example.com' }), null, 2));
 */
export async function createAsyncApiDocument(
  app: Pick<INestApplicationContext, 'get'>,
  options: AsyncApiOptions = {},
): Promise<AsyncApiDocument> {
  return documentFor(app, options);
}

/** The document for the gateways registered in `app` (an app, or a `ModuleRef`). */
export async function documentFor(
  app: AppLike,
  options: AsyncApiOptions,
): Promise<AsyncApiDocument> {
  const gateways = new Set<Function>();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype as Function | null | undefined;
      if (typeof type === 'function' && Reflect.getMetadata(GATEWAY_METADATA, type) === true)
        gateways.add(type);
    }
  }
  const facts = readApp(app);
  const known = await loadDtoSchemas(SCHEMA_REF_PREFIX, (message) => logger.warn(message));
  return buildAsyncApiDocument(readGateways([...gateways]), new SchemaRegistry(known), {
    info: options.info,
    channelsPath: facts.path,
    host: options.host ?? facts.listening ?? 'localhost',
    secure: options.secure ?? facts.tls,
    security: handshakeSecurity({ ...facts.auth, given: options.securitySchemes }),
  });
}
