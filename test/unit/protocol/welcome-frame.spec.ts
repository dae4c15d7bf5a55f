import { PROTOCOL_VERSION } from '../../../lib/protocol/frames.js';
import { welcomeData, welcomeFrameJson } from '../../../lib/protocol/welcome.frame.js';

describe('the welcome frame', () => {
  it('is put together as the very text JSON.stringify makes of the frame object', () => {
    for (const [id, heartbeatMs] of [
      ['6f1c2b9e-4d3a-4c1e-9a57-2f0e8b7d5c11', 25_000],
      ['an "odd" id \\ with\nescapes', 0],
    ] as const) {
      const frame = { event: 'connected', data: welcomeData(id, heartbeatMs) };
      expect(welcomeFrameJson(id, heartbeatMs)).toBe(JSON.stringify(frame));
      expect(frame.data).toEqual({ connectionId: id, heartbeatMs, protocol: PROTOCOL_VERSION });
    }
  });
});
