import {
  Controller,
  Get,
  Header,
  Inject,
  Module,
  type DynamicModule,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { AsyncApiDocument, AsyncApiOptions } from './asyncapi.options.js';
import { documentFor } from './asyncapi.factory.js';

const ASYNCAPI_OPTIONS = Symbol('channels:asyncapi-options');

/**
 * Builds the document once, on first request, when every gateway is registered and the app
 * listens. Nothing of a request goes into it: every client gets the same document.
 */
class AsyncApiDocumentHolder {
  private document?: Promise<AsyncApiDocument>;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly options: AsyncApiOptions,
  ) {}

  get(): Promise<AsyncApiDocument> {
    this.document ??= documentFor(this.moduleRef, this.options);
    return this.document;
  }
}

/**
 * Serves the AsyncAPI 3.0 document of the app's channel gateways at `GET /asyncapi.json` (or
 * `path`): one line in the app module, like `SwaggerModule.setup` for HTTP. Its servers are
 * the `host` option or the address the app listens on (never a request's `Host`), its
 * security the handshake's (see {@link AsyncApiOptions}).
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
          inject: [ModuleRef, ASYNCAPI_OPTIONS],
          useFactory: (ref: ModuleRef, given: AsyncApiOptions) =>
            new AsyncApiDocumentHolder(ref, given),
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
    // The document is the same for every client and changes only with a deploy: caches may
    // keep it, and check it again (Express adds an ETag) before they serve it.
    @Header('Cache-Control', 'no-cache')
    document(): Promise<AsyncApiDocument> {
      return this.holder.get();
    }
  }
  return AsyncApiController;
}
