// One contender's server, in its own process: `node server.main.js <contender>`.
import 'reflect-metadata';
import { startChannels } from './servers/channels.server.js';
import { startNestWs } from './servers/nest-ws.server.js';
import { startRawWs } from './servers/raw-ws.server.js';
import { startSocketIo } from './servers/socket-io.server.js';

const starters: Record<string, () => Promise<void>> = {
  'ws-naive': () => startRawWs('naive'),
  'ws-floor': () => startRawWs('floor'),
  'socket.io': startSocketIo,
  'nest-ws': startNestWs,
  channels: startChannels,
  'channels-sse': startChannels,
};

const start = starters[process.argv[2] ?? ''];
if (!start) {
  console.error(`unknown contender ${process.argv[2]}; one of ${Object.keys(starters).join(', ')}`);
  process.exit(2);
}
void start();
