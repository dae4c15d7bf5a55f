import { resolveSettings } from '../../../lib/settings/channels.settings.js';

describe('the compression section', () => {
  it('is off unless enabled, with its defaults when on', () => {
    expect(resolveSettings({}).compression).toBe(false);
    expect(resolveSettings({ compression: { threshold: 10 } }).compression).toBe(false);
    expect(resolveSettings({ compression: { enabled: true } }).compression).toEqual({
      threshold: 1024,
      level: 6,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: undefined,
    });
  });

  it('names the option that is out of range', () => {
    expect(() => resolveSettings({ compression: { enabled: true, level: 0 } })).toThrow(
      'compression.level must be an integer from 1 to 9.',
    );
    expect(() =>
      resolveSettings({ compression: { enabled: true, clientMaxWindowBits: 8 } }),
    ).toThrow('compression.clientMaxWindowBits must be an integer from 9 to 15.');
  });
});
