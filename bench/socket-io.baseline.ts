import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';

/** A plain Socket.IO server doing the same work: a room broadcast and an acknowledged echo. */
export async function startSocketIo(): Promise<{
  port: number;
  broadcast: (event: string, data: unknown) => void;
  close: () => Promise<void>;
}> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, transports: ['websocket'] });
  io.on('connection', (socket) => {
    socket.join('bench');
    socket.on('echo', (data: unknown, ack: (reply: unknown) => void) => ack(data));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    broadcast: (event, data) => io.to('bench').emit(event, data),
    close: () => new Promise((resolve) => io.close(() => resolve())),
  };
}

/** Socket.IO clients on the WebSocket transport only, connected one by one. */
export async function socketIoClients(port: number, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = connect(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) =>
      socket.once('connect', () => resolve()).once('connect_error', reject),
    );
    sockets.push(socket);
  }
  return sockets;
}
