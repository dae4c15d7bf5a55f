// A plain Socket.IO 4 server: rooms, `io.to(room).emit`, and an acknowledged echo.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { readJson, serveHarness } from './server.protocol.js';

export async function startSocketIo(): Promise<void> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, transports: ['websocket'] });
  http.prependListener('request', (request, response) => {
    if (!request.url?.startsWith('/push')) return;
    void readJson(request).then(({ channel, data }) => {
      io.to(channel).emit('push', data);
      response.end('{}');
    });
  });
  io.on('connection', (socket) => {
    const channel = socket.handshake.query['channel'];
    if (typeof channel === 'string') void socket.join(channel);
    socket.on('echo', (data: { n?: unknown }, ack: (reply: unknown) => void) => {
      // The same check the Nest contenders' DTO makes.
      if (typeof data?.n !== 'number') return ack({ error: 'n must be a number' });
      ack(data);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  serveHarness(http);
}
