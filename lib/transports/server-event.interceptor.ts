import type { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';

type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Takes one kind of HTTP server event (`request`, `upgrade`) out before the server's own
 * listeners see it, when `take` says it is ours. Listening beside them is not enough: Nest's
 * WsAdapter destroys every upgrade on a path it does not own, and Express answers 404 to any
 * request it has no route for.
 *
 * @returns a function that stops intercepting. It restores `emit` only when nobody wrapped it
 *   since; otherwise this interceptor just stands aside.
 * @example const detach = interceptServerEvent(server, 'upgrade', (req, socket, head) => isOurs(req) && handle(req, socket, head));
 */
export function interceptServerEvent(
  server: Server,
  event: 'request' | 'upgrade',
  take: (...args: any[]) => boolean, // eslint-disable-line @typescript-eslint/no-explicit-any -- the event's own arguments
): () => void {
  const emit = server.emit as Emit;
  let active = true;
  // Every event of the server passes here (a `connection` per socket, then its `upgrade` or
  // `request`): no rest array and no spread, the arguments go on as they came.
  const intercept = function (
    this: Server,
    name: string | symbol,
    a?: unknown,
    b?: unknown,
    c?: unknown,
  ): boolean {
    if (active && name === event && take(a, b, c)) return true;
    // eslint-disable-next-line prefer-rest-params -- passed on untouched, whatever their number
    return emit.apply(this, arguments as unknown as Parameters<Emit>);
  } as Server['emit'];
  server.emit = intercept;
  return () => {
    active = false;
    if (server.emit === intercept) server.emit = emit as Server['emit'];
  };
}

/**
 * The Nest app's own HTTP server, which both transports share.
 * @returns `undefined` when the app has none: a standalone application context, or a testing
 *   module that is only `init()`ed (the transports then stay off, as Nest's own gateways do)
 * @example const server = sharedHttpServer(this.adapterHost);
 */
export function sharedHttpServer(adapterHost: HttpAdapterHost): Server | undefined {
  return adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
}
