import { useChannels } from './channels-app.js';

/** A command whose `data` is `depth` arrays deep, with its id at the start or at the end. */
function nested(id: number, depth: number, idLast = false): string {
  const data = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return idLast
    ? `{"event":"echo","data":${data},"id":${id}}`
    : `{"id":${id},"event":"echo","data":${data}}`;
}

/** The probe's frame: an `order` payload carrying `count` unknown properties. */
function withUnknownKeys(id: number, count: number, name = (i: number) => `p${i}`): string {
  const extra = Array.from({ length: count }, (_, i) => `"${name(i)}":1`).join(',');
  return `{"id":${id},"event":"order","data":{"address":{"city":"Oslo"},"items":[],${extra}}}`;
}

describe('security: bounded frames', () => {
  const channels = useChannels({});

  async function post(body: string): Promise<{ status: number; json: any; text: string }> {
    const response = await fetch(`${channels.http}/channels/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    const text = await response.text();
    return { status: response.status, json: JSON.parse(text), text };
  }

  it.each([3_000, 10_000])(
    'answers a command nested %i levels deep with its id over WebSocket, id first or last',
    async (depth) => {
      const { client } = await channels.connect();
      client.send(nested(7, depth));
      client.send(nested(8, depth, true));
      const refusal = {
        code: 'BAD_REQUEST',
        message: 'The frame is nested deeper than 32 levels.',
      };
      expect(await client.next((f) => f.id === 7)).toEqual({ id: 7, error: refusal });
      expect(await client.next((f) => f.id === 8)).toEqual({ id: 8, error: refusal });
      expect(await client.request('echo', 'alive')).toMatchObject({ data: 'alive' });
    },
  );

  it.each([3_000, 10_000])(
    'answers a command nested %i levels deep with its id over POST',
    async (depth) => {
      for (const idLast of [false, true]) {
        const { status, json } = await post(nested(9, depth, idLast));
        expect(status).toBe(400);
        expect(json).toEqual({
          id: 9,
          error: { code: 'BAD_REQUEST', message: 'The frame is nested deeper than 32 levels.' },
        });
      }
    },
  );

  it('keeps the id of a frame that is not JSON when the id could be read', async () => {
    const { client } = await channels.connect();
    client.send('{"id":11,"event":"echo","data":[1,2');
    expect(await client.next()).toEqual({
      id: 11,
      error: { code: 'BAD_REQUEST', message: 'The frame is not valid JSON.' },
    });
  });

  it('refuses the 5,000-unknown-keys frame before validation, with its id, on both transports', async () => {
    const frame = withUnknownKeys(21, 5_000);
    expect(frame.length).toBeGreaterThan(45_000);
    const refusal = { code: 'BAD_REQUEST', message: 'An object has more than 256 keys.' };
    const { client } = await channels.connect();
    client.send(frame);
    const answer = await client.next((f) => f.id === 21);
    expect(answer).toEqual({ id: 21, error: refusal });
    expect(JSON.stringify(answer).length).toBeLessThan(frame.length);
    const { status, json } = await post(frame);
    expect(status).toBe(400);
    expect(json).toEqual({ id: 21, error: refusal });
  });

  it('bounds the keys of the whole frame, however they are spread over objects', async () => {
    // 20 items of 100 unknown keys each: every object is within maxKeys, the frame is not.
    const item = `{${Array.from({ length: 100 }, (_, i) => `"k${i}":1`).join(',')}}`;
    const items = Array(20).fill(item).join(',');
    const frame = `{"id":33,"event":"order","data":{"address":{"city":"Oslo"},"items":[${items}]}}`;
    const refusal = { code: 'BAD_REQUEST', message: 'The frame has more than 512 keys in all.' };
    const { client } = await channels.connect();
    client.send(frame);
    expect(await client.next((f) => f.id === 33)).toEqual({ id: 33, error: refusal });
    expect((await post(frame)).json).toEqual({ id: 33, error: refusal });
  });

  it('bounds array length and string length too', async () => {
    const { client } = await channels.connect();
    client.send(`{"id":31,"event":"echo","data":[${Array(5_000).fill(0).join(',')}]}`);
    expect(await client.next((f) => f.id === 31)).toEqual({
      id: 31,
      error: { code: 'BAD_REQUEST', message: 'An array has more than 4096 elements.' },
    });
    client.send({ id: 32, event: 'echo', data: Array(4_096).fill(0) });
    expect((await client.next((f) => f.id === 32)).data).toHaveLength(4_096);
  });

  it('caps the details of a validation failure and says how many were left out', async () => {
    // Within the bounds, but every unknown property is a problem, each with a long name.
    const frame = withUnknownKeys(41, 250, (i) => `${'k'.repeat(190)}${i}`);
    const { client } = await channels.connect();
    client.send(frame);
    const answer = await client.next((f) => f.id === 41);
    expect(answer.error.code).toBe('VALIDATION_FAILED');
    expect(answer.error.details).toHaveLength(20);
    expect(answer.error.omitted).toBe(230);
    expect(answer.error.message).toBe(
      'The message failed validation (230 more problems left out).',
    );
    expect(JSON.stringify(answer).length).toBeLessThan(4 * frame.length);
    const { status, json, text } = await post(frame);
    expect(status).toBe(400);
    expect(json.error.omitted).toBe(230);
    expect(text.length).toBeLessThan(4 * frame.length);
  });

  it('keeps every detail of an ordinary failure, with no omitted count', async () => {
    const { client } = await channels.connect();
    const answer = await client.request('order', { address: { city: '' }, items: [] });
    expect(answer.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'The message failed validation.',
      details: [
        {
          property: 'address.city',
          messages: ['city must be longer than or equal to 1 characters'],
        },
      ],
    });
  });
});

describe('security: limits.frameLimits and limits.maxValidationDetails options', () => {
  const channels = useChannels({
    limits: { frameLimits: { maxDepth: 3 }, maxValidationDetails: 2 },
  });

  it('applies the configured bounds on both transports', async () => {
    const refusal = { code: 'BAD_REQUEST', message: 'The frame is nested deeper than 3 levels.' };
    const { client } = await channels.connect();
    expect(await client.request('echo', [[1]])).toMatchObject({ data: [[1]] });
    client.send(nested(51, 3));
    expect(await client.next((f) => f.id === 51)).toEqual({ id: 51, error: refusal });
    const response = await fetch(`${channels.http}/channels/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: nested(52, 3),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ id: 52, error: refusal });
  });

  it('sends at most maxValidationDetails details', async () => {
    const { client } = await channels.connect();
    client.send(withUnknownKeys(53, 5));
    const answer = await client.next((f) => f.id === 53);
    expect(answer.error.details).toHaveLength(2);
    expect(answer.error.omitted).toBe(3);
  });
});
