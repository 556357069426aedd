export {
  createMessageStore,
  MESSAGES_SCHEMA_VERSION,
  type MessageStore,
  type MessageStoreOptions,
  type AwaitingEnvelope,
} from './message-store';
export { checkHashLinks, type LinkedEnvelope } from './hash-links';
export { toFtsQuery } from './search-query';
export type * from './types';
