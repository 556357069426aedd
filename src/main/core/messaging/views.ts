import type { ConversationView, MessageView } from '../../../shared/contract';
import type { ConversationSummary, Receipt, StoredMessage } from '../messages';
import type { AcknowledgementView } from './acknowledgements';
import type { ChainState } from './conversation-state';

/**
 * A stored message as the renderer may see it: text and patient context, never keys or envelope bytes.
 * Acknowledgements come only from verified signed entries (`acknowledgements.of`); the hub's receipts are
 * passed on as its word for delivered and read, and an 'acknowledged' receipt is never shown.
 */
export function toMessageView(
  message: StoredMessage,
  receipts: Receipt[],
  acknowledgements: AcknowledgementView[] = [],
): MessageView {
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
    receipts: receipts.flatMap((r) =>
      r.kind === 'acknowledged' ? [] : [{ userId: r.userId, kind: r.kind, at: r.at }],
    ),
    acknowledgements:
      payload?.ackRequired && message.seq !== null
        ? acknowledgements
            .filter((a) => a.userId !== message.senderUserId)
            .map((a) => ({ userId: a.userId, own: a.own, at: a.at }))
        : [],
    toRole: payload?.toRole
      ? {
          roleId: payload.toRole.roleId,
          name: payload.toRole.name,
          holders: payload.toRole.holders,
          asBackup: payload.toRole.asBackup === true,
        }
      : null,
    escalationStep: message.escalationStep ?? null,
  };
}

export function toConversationView(
  summary: ConversationSummary,
  alerts: number,
  previews: boolean,
  /** The conversation's state from its verified chain; without one (or unconfirmed), the server's list. */
  chain?: Pick<ChainState, 'status' | 'kind' | 'members' | 'admins' | 'name'> &
    Partial<Pick<ChainState, 'patient'>>,
): ConversationView {
  const last = summary.lastMessage;
  const confirmed = chain?.status === 'confirmed';
  return {
    conversationId: summary.conversationId,
    kind: confirmed && chain.kind ? chain.kind : summary.kind,
    members: confirmed ? chain.members : summary.members,
    lastMessage: last && !previews ? { ...last, preview: null } : last,
    unread: summary.unread,
    urgentUnread: summary.urgentUnread,
    lastSeq: summary.lastSeq,
    alerts,
    membership: confirmed ? 'confirmed' : 'unconfirmed',
    admins: confirmed ? chain.admins : [],
    name: confirmed ? chain.name : null,
    patient: confirmed ? (chain.patient ?? null) : null,
  };
}
