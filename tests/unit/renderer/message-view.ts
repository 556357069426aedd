import type { MessageView } from '../../../src/shared/contract';

/** A verified text message from a colleague as the renderer gets it; tests override what they are about. */
export const messageView = (over: Partial<MessageView> = {}): MessageView => {
  const seq = over.seq === undefined ? 1 : over.seq;
  return {
    conversationId: 'c1',
    seq,
    envelopeId: `e${seq ?? 'pending'}`,
    senderUserId: 'u1',
    own: false,
    pending: false,
    sendFailure: null,
    time: '2026-11-20T09:00:00.000Z',
    verdict: 'valid',
    reason: null,
    kind: 'text',
    text: `m${seq}`,
    urgent: false,
    ackRequired: false,
    patient: null,
    document: null,
    receipts: [],
    acknowledgements: [],
    ...over,
  };
};
