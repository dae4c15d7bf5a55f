/**
 * Which transport carries a connection: the server's name for it (`client.transport`) and the
 * SDK's (`transports: ['sse']`) are the same.
 * @example if (client.transport === 'sse') this.logger.debug('fallback client');
 */
export type TransportName = 'websocket' | 'sse';
