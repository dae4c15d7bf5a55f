/** Metadata key: what `@OnMessage` declares beyond the event name (payload, reply, summary). */
export const MESSAGE_CONTRACT_METADATA = 'channels:message-contract';
/** Metadata key: the channel definition given to `@OnJoin` (its pushes, its docs). */
export const JOIN_CONTRACT_METADATA = 'channels:join-contract';
