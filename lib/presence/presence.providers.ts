import type { Provider } from '@nestjs/common';
import { RESOLVED_OPTIONS, type ResolvedChannelsOptions } from '../channels.options.js';
import { InMemoryPresenceStore } from './in-memory.presence-store.js';
import { PresenceStore } from './presence.store.js';
import { PresenceTracker } from './presence.tracker.js';

/** The presence providers of `ChannelsModule`: the store (from the options) and the tracker. */
export const presenceProviders: Provider[] = [
  {
    provide: PresenceStore,
    useFactory: (options: ResolvedChannelsOptions) =>
      options.presence.store ?? new InMemoryPresenceStore(),
    inject: [RESOLVED_OPTIONS],
  },
  PresenceTracker,
];
