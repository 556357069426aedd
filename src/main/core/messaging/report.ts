import { z } from 'zod';
import { fromBase64, toBase64 } from '../crypto';
import { envelopeHash, parseEnvelope, verifyEnvelopeSignature } from '../envelope';
import { checkHashLinks, type MessageStore, type StoredAlert } from '../messages';
import type { MembershipChange } from '../../../shared/hub-protocol';

/**
 * A conversation's verification report: every envelope as the hub delivered it, the verdict this device
 * reached, the public keys and membership it judged by, and the integrity alerts. Anyone can re-check the
 * signatures, hashes, metadata, membership and links from this file alone (tools/verify-report.ts); message
 * contents stay encrypted in it.
 */
export const VerificationReport = z.object({
  format: z.literal('clinical-messenger/verification-report'),
  version: z.literal(1),
  conversationId: z.string(),
  exportedAt: z.string(),
  exportedBy: z.object({ userId: z.string(), deviceId: z.string() }),
  devices: z.array(z.object({ userId: z.string(), deviceId: z.string(), signingPublicKey: z.string() })),
  membership: z.array(
    z.object({
      changeSeq: z.number(),
      kind: z.enum(['added', 'removed']),
      userId: z.string(),
      afterSeq: z.number(),
    }),
  ),
  envelopes: z.array(
    z.object({
      seq: z.number().int().positive(),
      envelopeId: z.string(),
      senderUserId: z.string(),
      senderDeviceId: z.string(),
      serverTime: z.string(),
      hash: z.string(),
      envelope: z.string(),
      verdict: z.enum(['valid', 'quarantined']),
      reason: z.string().nullable(),
    }),
  ),
  alerts: z.array(
    z.object({
      kind: z.string(),
      fromSeq: z.number(),
      toSeq: z.number(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
});
export type VerificationReport = z.infer<typeof VerificationReport>;

export function buildVerificationReport(input: {
  conversationId: string;
  messages: MessageStore;
  /** The membership each envelope was judged by (hub-style changes; see conversation-state.ts). */
  membership: Pick<MembershipChange, 'changeSeq' | 'kind' | 'userId' | 'afterSeq'>[];
  devices: { userId: string; deviceId: string; signingPublicKey: string }[];
  exportedBy: { userId: string; deviceId: string };
  now?: Date;
}): VerificationReport {
  const records = input.messages.verificationRecords(input.conversationId).filter((r) => r.seq !== null);
  return {
    format: 'clinical-messenger/verification-report',
    version: 1,
    conversationId: input.conversationId,
    exportedAt: (input.now ?? new Date()).toISOString(),
    exportedBy: input.exportedBy,
    devices: input.devices,
    membership: input.membership.map((c) => ({
      changeSeq: c.changeSeq,
      kind: c.kind,
      userId: c.userId,
      afterSeq: c.afterSeq,
    })),
    envelopes: records.map((r) => ({
      seq: r.seq!,
      envelopeId: r.envelopeId,
      senderUserId: r.senderUserId,
      senderDeviceId: r.senderDeviceId,
      serverTime: r.serverTime ?? '',
      hash: r.hash,
      envelope: toBase64(r.envelope),
      verdict: r.verdict,
      reason: r.reason,
    })),
    alerts: input.messages.alerts(input.conversationId).map((a: StoredAlert) => ({
      kind: a.kind,
      fromSeq: a.fromSeq,
      toSeq: a.toSeq,
      details: a.details,
    })),
  };
}

/**
 * Reasons only the recipient's secret keys can re-check; offline they are taken as reported. A control entry's
 * verdict against the chain needs its decrypted content too.
 */
const needsSecretKeys = new Set([
  'not-sealed-to-me',
  'decrypt-failed',
  'payload-invalid',
  'control-not-allowed',
  'control-out-of-order',
  'control-invalid',
  'announcement-not-admin',
  // an acknowledgement naming what it may not (acknowledgements.ts): its content says what it names
  'ack-unknown-message',
  'ack-hash-mismatch',
  'ack-unverified-message',
  'ack-own-message',
  'ack-not-required',
]);

export interface ReportFinding {
  seq: number;
  envelopeId: string;
  /** What the offline checks found: 'valid', a rejection reason, or 'unverifiable-offline'. */
  offline: string;
  reported: string;
  agrees: boolean;
}

export interface ReportVerification {
  findings: ReportFinding[];
  /** Link problems recomputed from the verified envelopes alone. */
  alerts: { kind: string; fromSeq: number; toSeq: number }[];
  agrees: boolean;
}

/** Re-verifies a report offline: hashes, framing, header vs metadata, signatures, membership and links. */
export function verifyReport(report: VerificationReport): ReportVerification {
  const keys = new Map(
    report.devices.map((d) => [`${d.userId}\u0000${d.deviceId}`, fromBase64(d.signingPublicKey, 32)]),
  );
  const memberAt = (userId: string, seq: number): boolean => {
    let member = false;
    for (const c of [...report.membership].sort((a, b) => a.changeSeq - b.changeSeq)) {
      if (c.userId === userId && c.afterSeq < seq) member = c.kind === 'added';
    }
    return member;
  };
  const findings: ReportFinding[] = [];
  const linked: { seq: number; hash: string; prev: string[]; envelopeId: string }[] = [];
  for (const e of [...report.envelopes].sort((a, b) => a.seq - b.seq)) {
    const bytes = fromBase64(e.envelope);
    const reported = e.verdict === 'valid' ? 'valid' : (e.reason ?? 'quarantined');
    let offline: string;
    const parsed = bytes ? parseEnvelope(bytes) : null;
    const key = keys.get(`${e.senderUserId}\u0000${e.senderDeviceId}`);
    if (!bytes || envelopeHash(bytes) !== e.hash) offline = 'hash-mismatch';
    else if (!parsed) offline = 'malformed';
    else if (!key) offline = 'unknown-sender-device';
    else if (!verifyEnvelopeSignature(bytes, key)) offline = 'bad-signature';
    else if (!memberAt(e.senderUserId, e.seq)) offline = 'not-member';
    else if (
      parsed.header.conversationId !== report.conversationId ||
      parsed.header.envelopeId !== e.envelopeId ||
      parsed.header.senderUserId !== e.senderUserId ||
      parsed.header.senderDeviceId !== e.senderDeviceId
    ) {
      offline = 'header-mismatch';
    } else offline = needsSecretKeys.has(reported) ? 'unverifiable-offline' : 'valid';
    // As on the device: every delivered envelope holds its seq; only a verified one's links are believed.
    linked.push({
      seq: e.seq,
      hash: e.hash,
      prev: offline === 'valid' && parsed ? parsed.header.prev : [],
      envelopeId: e.envelopeId,
    });
    const agrees =
      offline === reported || (offline === 'unverifiable-offline' && needsSecretKeys.has(reported));
    findings.push({ seq: e.seq, envelopeId: e.envelopeId, offline, reported, agrees });
  }
  const bySeqHash = new Map(linked.map((l) => [l.hash, l.seq]));
  const alerts = checkHashLinks((hash) => bySeqHash.get(hash) ?? null, 0, linked).map((a) => ({
    kind: a.kind,
    fromSeq: a.fromSeq,
    toSeq: a.toSeq,
  }));
  const reportedAlerts = new Set(report.alerts.map((a) => `${a.kind}:${a.fromSeq}:${a.toSeq}`));
  const alertsAgree = alerts.every((a) => reportedAlerts.has(`${a.kind}:${a.fromSeq}:${a.toSeq}`));
  return { findings, alerts, agrees: findings.every((f) => f.agrees) && alertsAgree };
}
