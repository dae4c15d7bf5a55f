import { PROTOCOL_VERSION, type WelcomeData } from './frames.js';

/**
 * The data of a connection's welcome frame (`connected`), the same on both transports.
 * @example welcomeData(connection.id, 25_000) // { connectionId: '…', heartbeatMs: 25000, protocol: 1 }
 */
export function welcomeData(connectionId: string, heartbeatMs: number): WelcomeData {
  return { connectionId, heartbeatMs, protocol: PROTOCOL_VERSION };
}

/**
 * The JSON welcome frame, `{ "event": "connected", "data": welcomeData(…) }`, put together as
 * text: it is written on every WebSocket handshake, where serializing an object costs more.
 * Its text is `JSON.stringify` of that object, key for key (a unit test holds it to that).
 * @example socket.write(encodeTextFrame(welcomeFrameJson(connection.id, 25_000)));
 */
export function welcomeFrameJson(connectionId: string, heartbeatMs: number): string {
  return (
    `{"event":"connected","data":{"connectionId":${JSON.stringify(connectionId)},` +
    `"heartbeatMs":${heartbeatMs},"protocol":${PROTOCOL_VERSION}}}`
  );
}
