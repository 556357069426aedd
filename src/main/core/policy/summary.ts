import type { PolicySummary } from '../../../shared/contract';
import type { LoadedPolicy } from './load';

/** The part of the policy the renderer may see: no keys, only whether a compliance copy is made. */
export function summarizePolicy({ policy, sources, problems, machine }: LoadedPolicy): PolicySummary {
  return {
    hubUrl: policy.hubUrl,
    idpAuthority: policy.idp?.authority ?? null,
    gatewayUrl: policy.gatewayUrl,
    idleLockMinutes: policy.idleLockMinutes,
    idleLockMaxMinutes: policy.idleLockMaxMinutes,
    retentionDays: policy.retentionDays,
    notificationPrivacy: policy.notificationPrivacy,
    urgentRenotifyMinutes: policy.urgentRenotifyMinutes,
    listPreviews: policy.listPreviews,
    saveToDiskAllowed: policy.saveToDiskAllowed,
    complianceCopy: policy.complianceRecipientKey !== null,
    mrnPattern: policy.mrnPattern,
    sources,
    problems,
    machine,
  };
}
