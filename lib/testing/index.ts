// The public API of 'nestjs-channels/testing': utilities for users' own tests.
export {
  ChannelsTestClient,
  type TestAnswer,
  type TestCloseEvent,
  type TestPushOptions,
  type TestSubscribeOptions,
  type TestWaitOptions,
} from './channels.test-client.js';
export {
  connectTestClient,
  listenForTests,
  type TestAppAddress,
  type TestClientOptions,
} from './connect-test-client.js';
export { WsTestClient } from './ws.test-client.js';
export { SseTestClient } from './sse.test-client.js';
export { ChannelsTestHarness, type HarnessConnectOptions } from './channels.test-harness.js';
export { InProcessTestClient } from './in-process.test-client.js';
export { RecordingBroker, type RecordedPush } from './recording.broker.js';
export { RefusedConnectionError } from './refused-connection.error.js';
export { ChannelsError, type ChannelsErrorCode } from '../client/channels.error.js';
