import { WebSocket } from 'ws';
import { ChannelsClient } from '../../lib/client/index.js';

describe('ChannelsClient in Node: the URL', () => {
  it('refuses a relative URL with an error that names the fix', () => {
    expect(() => new ChannelsClient({ url: '/channels', WebSocket })).toThrow(
      /"\/channels" is not an absolute URL.*Pass the server's full URL, such as "http:\/\/127\.0\.0\.1:3000\/channels"/,
    );
  });

  it('refuses a URL of another scheme', () => {
    expect(() => new ChannelsClient({ url: 'ftp://example.com/channels', WebSocket })).toThrow(
      /ftp: URL; use http\(s\):\/\/ or ws\(s\):\/\//,
    );
  });

  it.each(['http://127.0.0.1:3000/channels', 'ws://127.0.0.1:3000/channels/'])(
    'accepts the absolute URL %s',
    (url) => {
      const client = new ChannelsClient({ url, WebSocket });
      expect(client.state).toBe('idle');
      client.close();
    },
  );
});
