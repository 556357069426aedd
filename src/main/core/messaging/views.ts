import type { ConversationView, MessageView } from '../../../shared/contract';
import type { ConversationSummary, Receipt, StoredMessage } from '../messages';

/** A stored message as the renderer may see it: text and patient context, never keys or envelope bytes. */
export function toMessageView(message: StoredMessage, receipts: Receipt[]): MessageView {
  const payload = message.verdict === 'valid' ? message.payload : null;
  return {
    conversationId: message.conversationId,
    seq: message.seq,
    envelopeId: message.envelopeId,
    senderUserId: message.senderUserId,
    own: message.own,
    pending: message.pending,
    sendFailure: message.sendFailure,
    time: message.serverTime ?? message.clientTime,
    verdict: message.verdict,
    reason: message.verdict === 'quarantined' ? message.reason : null,
    kind: payload?.kind ?? null,
    text: payload?.text ?? null,
    urgent: payload?.urgent ?? false,
    ackRequired: payload?.ackRequired ?? false,
    patient: payload?.patient ?? null,
    document:
      payload?.kind === 'document'
        ? {
            cid: payload.document.cid,
            sha256: payload.document.sha256,
            size: payload.document.size,
            mediaType: payload.document.mediaType,
            fileName: payload.document.fileName,
          }
        : null,
    receipts: receipts.map((r) => ({ userId: r.userId, kind: r.kind, at: r.at })),
  };
}

export function toConversationView(
  summary: ConversationSummary,
  alerts: number,
  previews: boolean,
): ConversationView {
  const last = summary.lastMessage;
  return {
    conversationId: summary.conversationId,
    kind: summary.kind,
    members: summary.members,
    lastMessage: last && !previews ? { ...last, preview: null } : last,
    unread: summary.unread,
    urgentUnread: summary.urgentUnread,
    lastSeq: summary.lastSeq,
    alerts,
  };
}
