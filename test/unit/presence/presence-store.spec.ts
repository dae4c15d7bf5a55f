import { InMemoryPresenceStore } from '../../../lib/index.js';
import { presenceStoreContract } from './presence-store.contract.js';

// Every store implementation is listed here; each runs the whole contract.
presenceStoreContract({
  name: 'InMemoryPresenceStore',
  multiNode: false,
  create: async (nodes) => Array.from({ length: nodes }, () => new InMemoryPresenceStore()),
});
