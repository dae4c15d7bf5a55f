import { Parser } from '@asyncapi/parser';
import type { INestApplication, ModuleMetadata, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import {
  ChannelsAsyncApiModule,
  ChannelsModule,
  createTokenExtractor,
  type ChannelsModuleOptions,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { httpCall, type HttpAnswer } from '../../support/sse-client.js';
import { AuthModule, ChatGateway, GuardedGateway, sign } from '../nest-auth/jwt-auth.js';

type Json = Record<string, any>;

const FOREIGN_HOST = 'evil.example:666';

/** Starts an app with the channels module, its document, and `extra` metadata. */
async function documentedApp(
  options: ChannelsModuleOptions,
  extra: ModuleMetadata = {},
): Promise<{ app: INestApplication; http: string }> {
  return startApp({
    imports: [
      AuthModule,
      ChannelsModule.forRoot(options),
      ChannelsAsyncApiModule.forRoot({ info: { title: 'Security' } }),
      ...(extra.imports ?? []),
    ],
    providers: [ChatGateway, ...(extra.providers ?? [])],
  });
}

/** Fetches the document with a foreign `Host` header, as a cache-poisoning client would. */
async function fetchDocument(http: string, headers: Record<string, string> = {}) {
  const answer: HttpAnswer = await httpCall(`${http}/asyncapi.json`, {
    headers: { Host: FOREIGN_HOST, ...headers },
  });
  return { answer, doc: answer.json as Json };
}

/** What @asyncapi/parser finds wrong (errors and warnings). */
async function problems(doc: Json): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(JSON.stringify(doc));
  return diagnostics
    .filter((d) => d.severity <= 1)
    .map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`);
}

function expectServedFromConfiguration(answer: HttpAnswer, doc: Json, http: string): void {
  expect(answer.status).toBe(200);
  expect(answer.headers['cache-control']).toBe('no-cache');
  // The request's Host is nowhere in the document; the servers are where the app listens.
  expect(answer.text).not.toContain('evil.example');
  const listening = new URL(http).host;
  expect(doc.servers.websocket).toMatchObject({ host: listening, protocol: 'ws' });
  expect(doc.servers.sse).toMatchObject({ host: listening, protocol: 'http' });
}

describe('the AsyncAPI document describes the real handshake', () => {
  const apps: INestApplication[] = [];
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  it("states bearer security for handshakeGuards: [AuthGuard('jwt')], with no query scheme", async () => {
    const { app, http } = await documentedApp({
      auth: { handshakeGuards: [AuthGuard('jwt')] },
    });
    apps.push(app);
    const { answer, doc } = await fetchDocument(http);
    expect(await problems(doc)).toEqual([]);
    expectServedFromConfiguration(answer, doc, http);
    const schemes = doc.components.securitySchemes as Record<string, Json>;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.cookie).toMatchObject({
      type: 'httpApiKey',
      in: 'cookie',
      name: 'channels_token',
    });
    expect(schemes.subprotocol).toMatchObject({ in: 'header', name: 'Sec-WebSocket-Protocol' });
    // Query tokens are off by default: no scheme says otherwise.
    expect(Object.values(schemes).filter((scheme) => scheme.in === 'query')).toEqual([]);
    const refs = (ids: string[]) =>
      ids.map((id) => ({ $ref: `#/components/securitySchemes/${id}` }));
    expect(doc.servers.websocket.security).toEqual(refs(['bearer', 'subprotocol', 'cookie']));
    // A subprotocol is WebSocket's own: the SSE fallback cannot use it.
    expect(doc.servers.sse.security).toEqual(refs(['bearer', 'cookie']));
  });

  it('states no security for an app without handshake or global guards, even with a guarded gateway', async () => {
    // GuardedGateway's @UseGuards(AuthGuard('jwt')) guards its own messages, not the handshake.
    const { app, http } = await documentedApp({}, { providers: [GuardedGateway] });
    apps.push(app);
    const { answer, doc } = await fetchDocument(http);
    expect(await problems(doc)).toEqual([]);
    expectServedFromConfiguration(answer, doc, http);
    expect(doc.servers.websocket.security).toBeUndefined();
    expect(doc.servers.sse.security).toBeUndefined();
    expect(doc.components.securitySchemes).toBeUndefined();
  });

  it('states the security of a global guard, and a query scheme only when query tokens are on', async () => {
    const { app, http } = await documentedApp(
      { auth: { extractToken: createTokenExtractor({ cookie: 'sid', allowQueryToken: true }) } },
      { providers: [{ provide: APP_GUARD, useClass: AuthGuard('jwt') as Type }] },
    );
    apps.push(app);
    // The global guard guards the document's own route too.
    const { answer, doc } = await fetchDocument(http, { Authorization: `Bearer ${sign('ann')}` });
    expect(await problems(doc)).toEqual([]);
    expectServedFromConfiguration(answer, doc, http);
    expect(doc.components.securitySchemes.cookie).toMatchObject({ in: 'cookie', name: 'sid' });
    expect(doc.components.securitySchemes.accessToken).toMatchObject({
      type: 'httpApiKey',
      in: 'query',
      name: 'access_token',
    });
    expect(doc.servers.sse.security).toContainEqual({
      $ref: '#/components/securitySchemes/accessToken',
    });
  });
});
