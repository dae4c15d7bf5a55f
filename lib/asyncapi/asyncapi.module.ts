import {
  Controller,
  Get,
  Headers,
  Inject,
  Module,
  type DynamicModule,
  type Type,
} from '@nestjs/common';
import { ModuleRef, ModulesContainer } from '@nestjs/core';
import type { AsyncApiDocument, AsyncApiOptions } from './asyncapi.options.js';
import { channelsPath, documentFor } from './asyncapi.factory.js';

const ASYNCAPI_OPTIONS = Symbol('channels:asyncapi-options');

/** Builds the document once, on first request, when every gateway is registered. */
class AsyncApiDocumentHolder {
  private document?: Promise<AsyncApiDocument>;

  constructor(
    private readonly container: ModulesContainer,
    private readonly moduleRef: ModuleRef,
    private readonly options: AsyncApiOptions,
  ) {}

  /** The document, with its servers' host set to `host` unless the options fix one. */
  async get(host: string | undefined): Promise<AsyncApiDocument> {
    this.document ??= documentFor(this.container, channelsPath(this.moduleRef), this.options);
    const document = await this.document;
    const shown = this.options.host ?? host;
    if (!shown) return document;
    const servers = Object.fromEntries(
      Object.entries(document.servers).map(([id, server]) => [id, { ...server, host: shown }]),
    );
    return { ...document, servers };
  }
}

/**
 * Serves the AsyncAPI 3.0 document of the app's channel gateways at `GET /asyncapi.json` (or
 * `path`): one line in the app module, like `SwaggerModule.setup` for HTTP.
 *
 * @example
 * @Module({ imports: [ChannelsModule.forRoot({}), ChannelsAsyncApiModule.forRoot({ info: { title: 'Chat' } })] })
 * export class AppModule {}
 */
@Module({})
export class ChannelsAsyncApiModule {
  /** @param options where to serve it and what to call it @default { path: '/asyncapi.json' } */
  static forRoot(options: AsyncApiOptions = {}): DynamicModule {
    return {
      module: ChannelsAsyncApiModule,
      controllers: [documentController(options.path ?? '/asyncapi.json')],
      providers: [
        { provide: ASYNCAPI_OPTIONS, useValue: options },
        {
          provide: AsyncApiDocumentHolder,
          inject: [ModulesContainer, ModuleRef, ASYNCAPI_OPTIONS],
          useFactory: (container: ModulesContainer, ref: ModuleRef, given: AsyncApiOptions) =>
            new AsyncApiDocumentHolder(container, ref, given),
        },
      ],
    };
  }
}

// The path is an option, so the controller is made per `forRoot`.
function documentController(path: string): Type {
  @Controller()
  class AsyncApiController {
    constructor(@Inject(AsyncApiDocumentHolder) private readonly holder: AsyncApiDocumentHolder) {}

    @Get(path)
    document(@Headers('host') host?: string): Promise<AsyncApiDocument> {
      return this.holder.get(host);
    }
  }
  return AsyncApiController;
}
