import type { INestApplication } from '@nestjs/common';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';
import { writeReadmeCode } from './readme-code.mjs';

// The README's quick start, exactly as written there, must work when pasted.
writeReadmeCode();

describe('README quick start', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const { AppModule } = await import('./.generated/quick-start.js');
    const started = await startApp({ imports: [AppModule] });
    app = started.app;
    url = `${started.ws}/channels`;
  });
  afterAll(() => app.close());

  it('answers the exchange the README shows', async () => {
    const { client, welcome } = await TestClient.connect(url);
    const other = await TestClient.connect(url);
    expect(welcome.data).toMatchObject({ heartbeatMs: 25000, protocol: 1 });
    expect((await client.request('subscribe', { channel: 'room:lobby' })).data).toMatchObject({
      channel: 'room:lobby',
      recovered: false,
      missed: [],
    });
    await other.client.request('subscribe', { channel: 'room:lobby' });
    expect((await client.request('subscribe', { channel: 'room:staff' })).error.code).toBe(
      'FORBIDDEN',
    );
    const invalid = await client.request('message.send', { roomId: 'lobby', text: '' });
    expect(invalid.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ property: 'text', messages: [expect.any(String)] }],
    });
    expect((await client.request('message.send', { roomId: 'lobby', text: 'hi' })).data).toEqual({
      ok: true,
    });
    expect(await other.client.next((f) => f.channel === 'room:lobby')).toMatchObject({
      event: 'message.new',
      data: { text: 'hi' },
    });
    // The sender never gets its own message: only the channel's new position (no event, no
    // data), so its next push is no gap.
    expect(await client.pushesWithin('room:lobby', 50)).toEqual([
      { channel: 'room:lobby', offset: 1, epoch: expect.any(String) },
    ]);
    client.close();
    other.client.close();
  });
});
