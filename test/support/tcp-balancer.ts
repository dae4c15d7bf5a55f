import { connect, createServer, type Socket } from 'node:net';

/** A round-robin TCP load balancer on 127.0.0.1, for tests. */
export interface TcpBalancer {
  readonly port: number;
  /** The backend ports it sends new connections to (change it at will). */
  backends: number[];
  /** Drops every connection it carries (as a network failure would); it keeps listening. */
  cut(): void;
  close(): Promise<void>;
}

/**
 * Starts a TCP balancer that sends each new connection to the next backend, skipping one
 * that refuses it, as a load balancer in front of several nodes does. Each upstream
 * connection comes from its own loopback address (127.0.0.2 to 127.0.0.101, in turn), so the
 * nodes' per-IP limits see many clients, not one.
 *
 * @example
 * const balancer = await startTcpBalancer([portA, portB]);
 * new ChannelsClient({ url: `http://127.0.0.1:${balancer.port}/channels`, ... });
 */
export async function startTcpBalancer(backends: number[]): Promise<TcpBalancer> {
  let turn = 0;
  let source = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((downstream) => {
    track(downstream);
    downstream.pause();
    const order = balancer.backends.map(
      (_, i) => balancer.backends[(turn + i) % balancer.backends.length]!,
    );
    turn++;
    const attempt = (index: number): void => {
      if (downstream.destroyed) return;
      if (index >= order.length) {
        downstream.destroy();
        return;
      }
      const localAddress = `127.0.0.${2 + (source++ % 100)}`;
      const upstream = connect({ port: order[index]!, host: '127.0.0.1', localAddress });
      upstream.once('error', () => {
        if (!upstream.readyState.startsWith('open')) attempt(index + 1);
      });
      upstream.once('connect', () => {
        track(upstream);
        downstream.pipe(upstream);
        upstream.pipe(downstream);
        downstream.once('close', () => upstream.destroy());
        upstream.once('close', () => downstream.destroy());
        downstream.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const balancer: TcpBalancer = {
    port: (server.address() as { port: number }).port,
    backends: [...backends],
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return balancer;
}
