import type { AsyncApiInfo } from '../../lib/index.js';

/** The `info` of the sample's AsyncAPI document (`GET /asyncapi.json`). */
export const SAMPLE_API_INFO: AsyncApiInfo = {
  title: 'nestjs-channels notifications sample',
  version: '1.0.0',
  description:
    'Per-user notifications and broadcast announcements, over WebSocket with an SSE fallback. Sign in with POST /auth/demo-login for a token.',
};
