import { describeTokenExtractor, type TokenExtractor } from '../protocol/token.extractor.js';

type Json = Record<string, unknown>;

/**
 * The security the document states for the handshake: the schemes (for
 * `components.securitySchemes`) and, per server, the ones a client may use (any one of them).
 */
export interface HandshakeSecurity {
  schemes: Record<string, Json>;
  websocket: string[];
  sse: string[];
}

/**
 * What the handshake's security is made of: whether anything guards it (the `handshakeGuards`
 * option or a global guard: gateways' class guards do not), where the credential is read, and
 * the schemes an app gave for a custom extractor.
 */
export interface HandshakeAuth {
  guarded: boolean;
  extractor: TokenExtractor | undefined;
  given?: Record<string, Json>;
}

/**
 * The security schemes of the handshake, from what guards it and where the credential is read:
 * none when nothing guards it. With the default extractor (`createTokenExtractor`): `bearer`
 * (`Authorization: Bearer`, both servers), `subprotocol` (`Sec-WebSocket-Protocol`
 * `bearer.<token>`, WebSocket only), `cookie` (its name), and `accessToken` (query) only with
 * `allowQueryToken`. A custom extractor: the schemes the app gave (`securitySchemes`), else
 * one `bearer` scheme whose description says it is assumed.
 * @example handshakeSecurity({ guarded: true, extractor: createTokenExtractor() })?.websocket // ['bearer', 'subprotocol', 'cookie']
 */
export function handshakeSecurity(auth: HandshakeAuth): HandshakeSecurity | undefined {
  if (!auth.guarded) return undefined;
  if (auth.given && Object.keys(auth.given).length > 0) {
    const ids = Object.keys(auth.given);
    return { schemes: auth.given, websocket: ids, sse: ids };
  }
  const sources = auth.extractor ? describeTokenExtractor(auth.extractor) : undefined;
  if (!sources) {
    return {
      schemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            "Assumed: the app reads the credential with its own auth.extractToken, whose sources the module cannot know (describe them with ChannelsAsyncApiModule's securitySchemes option).",
        },
      },
      websocket: ['bearer'],
      sse: ['bearer'],
    };
  }
  const schemes: Record<string, Json> = {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      description: '`Authorization: Bearer <token>` on the WebSocket upgrade or the SSE request.',
    },
    subprotocol: {
      type: 'httpApiKey',
      name: 'Sec-WebSocket-Protocol',
      in: 'header',
      description:
        'The value `bearer.<token>` offered beside `channels.v1`: how a browser WebSocket carries a token.',
    },
    cookie: {
      type: 'httpApiKey',
      name: sources.cookie,
      in: 'cookie',
      description: 'The token in a cookie.',
    },
  };
  const both = ['bearer', 'cookie'];
  if (sources.queryParameter) {
    schemes.accessToken = {
      type: 'httpApiKey',
      name: sources.queryParameter,
      in: 'query',
      description: 'Discouraged (logs leak it): the token as a query parameter.',
    };
    both.push('accessToken');
  }
  return { schemes, websocket: ['bearer', 'subprotocol', ...both.slice(1)], sse: both };
}
