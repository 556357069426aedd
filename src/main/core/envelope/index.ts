/**
 * End-to-end message envelopes: sealing (encrypt, seal the key to every device, sign) and opening (verify,
 * check against the hub's metadata, decrypt), single-threaded or on a worker pool. Format:
 * docs/envelope-format.md.
 */
export {
  EnvelopeHeader,
  EnvelopeHeaderV2,
  type AnyEnvelopeHeader,
  keyIdHex,
  EnvelopeRecipient,
  MessagePayload,
  EntryPayload,
  AckPayload,
  ControlPayload,
  ControlChange,
  isChainEntry,
  asMessage,
  type ChainEntryPayload,
  DocumentReference,
  envelopeLimits,
  hex64,
} from './schema';
export {
  sealEnvelope,
  sealEnvelopeV2,
  type SealEnvelopeV2Input,
  sealToKey,
  type SealEnvelopeInput,
  type SealRecipient,
  type SealedEnvelope,
} from './seal';
export {
  openEnvelope,
  openEnvelopeWith,
  parseEnvelope,
  verifyEnvelopeSignature,
  EnvelopeRejected,
  rejectionReasons,
  type RejectionReason,
  type HubMetadata,
  type SenderKey,
  type SenderKeyLookup,
  type ConversationKeyLookup,
  type ReceivingDevice,
  type OpenEnvelopeInput,
  type OpenedEnvelope,
  type ParsedEnvelopeParts,
} from './open';
export {
  ConversationKeyGrant,
  GrantRejected,
  createConversationKey,
  openConversationKey,
  keyIdOf,
  conversationKeyDomain,
  type GrantRejection,
  type GrantRecipient,
  type OpenGrantInput,
} from './conversation-key';
export { envelopeHash, envelopeMagic, signatureDomain } from './wire';
export { createRandomPool, randomPool, type RandomPool } from './random-pool';
export {
  createOpenPool,
  defaultWorkerEntry,
  OpenPoolFailed,
  type OpenPool,
  type OpenPoolOptions,
  type OpenPoolItem,
  type OpenResult,
  type WorkerDeviceSecrets,
  type WorkerEntry,
} from './open-pool';
