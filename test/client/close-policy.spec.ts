import { decideOnClose, isNetworkFailure } from '../../lib/client/close-policy.js';
import { TransportSelector } from '../../lib/client/transport.selector.js';

describe('close codes, from the client side', () => {
  it.each([
    [1000, 'CLOSED'],
    [4403, 'FORBIDDEN'],
  ])('stops on %i', (code, error) => {
    expect(decideOnClose(code)).toEqual({ action: 'stop', error });
  });

  it('refreshes the token on 4401, then reconnects', () => {
    expect(decideOnClose(4401)).toMatchObject({ action: 'reconnect', refreshToken: true });
  });

  it('waits the long delay on 4429', () => {
    expect(decideOnClose(4429)).toMatchObject({
      action: 'reconnect',
      delay: 'long',
      refreshToken: false,
    });
  });

  it('backs off from a higher ceiling on 1011', () => {
    expect(decideOnClose(1011)).toMatchObject({
      action: 'reconnect',
      delay: 'backoff',
      minAttempt: 2,
    });
  });

  it('backs off from a 1 s ceiling on 1013 (busy: an upgrade shed with 503), and does not count it as a blocked path', () => {
    expect(decideOnClose(1013)).toMatchObject({
      action: 'reconnect',
      delay: 'backoff',
      minAttempt: 1,
    });
    expect(isNetworkFailure(1013)).toBe(false);
  });

  it.each([1001, 1006, 1009, 1012, 4008, 4408])(
    'reconnects with jittered backoff on %i',
    (code) => {
      expect(decideOnClose(code)).toEqual({
        action: 'reconnect',
        delay: 'backoff',
        minAttempt: 0,
        refreshToken: false,
      });
    },
  );
});

describe('transport selection', () => {
  const both = () => new TransportSelector(['websocket', 'sse'], 2, 60_000);

  it('prefers WebSocket and falls back after N failures to open before any welcome', () => {
    const selector = both();
    expect(selector.next(0)).toBe('websocket');
    selector.webSocketFailed(0);
    expect(selector.next(0)).toBe('websocket');
    selector.webSocketFailed(0);
    expect(selector.next(0)).toBe('sse');
    expect(selector.next(59_999)).toBe('sse');
    expect(selector.webSocketRetryAt()).toBe(60_000);
    expect(selector.next(60_000)).toBe('websocket');
  });

  it('falls back at once when the WebSocket constructor throws', () => {
    const selector = both();
    selector.webSocketBlocked(1_000);
    expect(selector.next(1_000)).toBe('sse');
    expect(selector.next(61_000)).toBe('websocket');
  });

  it('trusts a WebSocket that has welcomed once: later failures mean the server is down', () => {
    const selector = both();
    selector.webSocketWelcomed();
    for (let i = 0; i < 5; i++) selector.webSocketFailed(0);
    expect(selector.next(0)).toBe('websocket');
  });

  it('goes back to WebSocket when SSE cannot reach the server either', () => {
    const selector = both();
    selector.webSocketFailed(0);
    selector.webSocketFailed(0);
    expect(selector.next(0)).toBe('sse');
    selector.sseUnreachable();
    expect(selector.next(0)).toBe('websocket');
  });

  it('pushes the next background try back after a failed one', () => {
    const selector = both();
    selector.webSocketBlocked(0);
    selector.upgradeFailed(70_000);
    expect(selector.webSocketRetryAt()).toBe(130_000);
  });

  it('keeps to the transports it is given', () => {
    expect(new TransportSelector(['sse'], 2, 1).next(0)).toBe('sse');
    const wsOnly = new TransportSelector(['websocket'], 2, 1);
    wsOnly.webSocketBlocked(0);
    expect(wsOnly.next(0)).toBe('websocket');
    expect(wsOnly.webSocketRetryAt()).toBeUndefined();
  });
});
