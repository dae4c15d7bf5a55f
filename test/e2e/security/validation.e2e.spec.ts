import { useChannels } from './channels-app.js';

const validOrder = { address: { city: 'Oslo' }, items: [{ name: 'tea', qty: 2 }] };
/** What the `order` handler answers for a valid order: nested DTO instances, nothing extra. */
const validOrderAsDtos = {
  isDto: true,
  addressIsDto: true,
  itemsAreDtos: true,
  addressKeys: ['city'],
  polluted: null,
  admin: null,
};

describe('security: validation by default and prototype poisoning', () => {
  const channels = useChannels({});

  async function request(event: string, data: unknown) {
    const { client } = await channels.connect();
    return client.request(event, data);
  }

  /** Sends `frame` as it is, unparsed, and resolves with the answer to its id 1. */
  async function requestRaw(frame: string) {
    const { client } = await channels.connect();
    client.send(frame);
    return client.next((f) => f.id === 1);
  }

  it('turns a valid payload into nested DTO instances', async () => {
    expect((await request('order', validOrder)).data).toEqual(validOrderAsDtos);
  });

  it('reports one detail per failing field, with nested property paths', async () => {
    const answer = await request('order', {
      address: { city: '' },
      items: [
        { name: 'tea', qty: 0 },
        { name: 5, qty: 1 },
      ],
    });
    expect(answer.error.code).toBe('VALIDATION_FAILED');
    expect(answer.error.details.map((d: { property: string }) => d.property).sort()).toEqual([
      'address.city',
      'items.0.qty',
      'items.1.name',
    ]);
    for (const detail of answer.error.details) expect(detail.messages.length).toBeGreaterThan(0);
  });

  it('rejects unknown fields at every depth (whitelist + forbidNonWhitelisted)', async () => {
    const answer = await request('order', {
      ...validOrder,
      role: 'admin',
      address: { city: 'Oslo', isAdmin: true },
    });
    expect(answer.error.code).toBe('VALIDATION_FAILED');
    const details = Object.fromEntries(
      answer.error.details.map((d: { property: string; messages: string[] }) => [
        d.property,
        d.messages,
      ]),
    );
    expect(details).toEqual({
      role: ['property role should not exist'],
      'address.isAdmin': ['property isAdmin should not exist'],
    });
  });

  it('rejects a nested object of no known class (forbidUnknownValues)', async () => {
    const answer = await request('loose', { meta: { anything: true } });
    expect(answer.error.code).toBe('VALIDATION_FAILED');
    expect(answer.error.details).toEqual([
      {
        property: 'meta',
        messages: [expect.stringContaining('an unknown value was passed to the validate function')],
      },
    ]);
  });

  it('rejects a payload that is not an object, for a class-typed handler', async () => {
    for (const data of ['text', 42, [validOrder], null]) {
      expect((await request('order', data)).error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('strips __proto__, constructor and prototype keys at every depth before anything sees them', async () => {
    const answer = await requestRaw(
      '{"id":1,"event":"echo","data":{"a":1,"__proto__":{"polluted":"yes"},' +
        '"nested":{"constructor":{"prototype":{"polluted":"yes"}},"list":[{"__proto__":{"polluted":"yes"},"b":2}]}}}',
    );
    expect(answer).toEqual({
      id: 1,
      data: { a: 1, nested: { list: [{ b: 2 }] } },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('strips them inside nested DTOs too: a __proto__ in a payload cannot smuggle a field past validation', async () => {
    const answer = await requestRaw(
      '{"id":1,"event":"order","data":{"address":{"city":"Oslo","__proto__":{"isAdmin":true}},' +
        '"items":[{"name":"tea","qty":2,"constructor":{"prototype":{"isAdmin":true}}}],"__proto__":{"polluted":"yes"}}}',
    );
    expect(answer).toEqual({
      id: 1,
      data: validOrderAsDtos,
    });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
