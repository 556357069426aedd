import type { EffectivePolicy, NotificationPrivacy, PolicyDocument } from './schema';
import { defaultPolicy } from './schema';

export type PolicySourceName = 'machine' | 'user' | 'default';
export type PolicySources = Record<keyof EffectivePolicy, PolicySourceName>;

const privacyOrder: NotificationPrivacy[] = ['hidden', 'sender', 'preview'];
export const stricterPrivacy = (a: NotificationPrivacy, b: NotificationPrivacy): NotificationPrivacy =>
  privacyOrder.indexOf(a) <= privacyOrder.indexOf(b) ? a : b;

/**
 * Machine policy first, then the user's settings, then defaults. A user setting may only tighten what
 * the machine policy (or, where it is silent, the default) allows; fields that decide where data goes or
 * who can read it (compliance key, link allowlist, key service, key and device lifetimes) are machine-only. Endpoints come from the user only
 * where the machine policy names none.
 */
export function mergePolicy(
  machine: PolicyDocument,
  user: PolicyDocument,
): { policy: EffectivePolicy; sources: PolicySources } {
  const sources = {} as PolicySources;
  const pick = <K extends keyof EffectivePolicy>(
    key: K,
    fromMachine: unknown,
    fromUser: unknown,
  ): EffectivePolicy[K] => {
    if (fromMachine !== undefined) {
      sources[key] = 'machine';
      return fromMachine as EffectivePolicy[K];
    }
    if (fromUser !== undefined) {
      sources[key] = 'user';
      return fromUser as EffectivePolicy[K];
    }
    sources[key] = 'default';
    return defaultPolicy[key];
  };
  /** The user's value applies only when it is at least as strict as the ceiling it would replace. */
  const tighten = <K extends keyof EffectivePolicy>(
    key: K,
    ceiling: EffectivePolicy[K],
    ceilingSource: PolicySourceName,
    fromUser: EffectivePolicy[K] | undefined,
    stricter: (a: EffectivePolicy[K], b: EffectivePolicy[K]) => EffectivePolicy[K],
  ): EffectivePolicy[K] => {
    if (fromUser !== undefined && stricter(fromUser, ceiling) === fromUser && fromUser !== ceiling) {
      sources[key] = 'user';
      return fromUser;
    }
    sources[key] = ceilingSource;
    return ceiling;
  };
  const min = (a: number, b: number): number => Math.min(a, b);

  const idleLockMaxMinutes = pick('idleLockMaxMinutes', machine.idleLockMaxMinutes, undefined);
  const retentionCeiling = pick('retentionDays', machine.retentionDays, undefined);
  const privacyCeiling = pick('notificationPrivacy', machine.notificationPrivacy, undefined);
  const saveCeiling = pick('saveToDiskAllowed', machine.saveToDiskAllowed, undefined);
  const previewsCeiling = pick('listPreviews', machine.listPreviews, undefined);

  const policy: EffectivePolicy = {
    hubUrl: pick('hubUrl', machine.hubUrl, user.hubUrl),
    idp: pick('idp', machine.idp, user.idp),
    gatewayUrl: pick('gatewayUrl', machine.gatewayUrl, user.gatewayUrl),
    idleLockMaxMinutes,
    idleLockMinutes: tighten(
      'idleLockMinutes',
      idleLockMaxMinutes,
      sources.idleLockMaxMinutes,
      user.idleLockMinutes,
      min,
    ),
    retentionDays: tighten('retentionDays', retentionCeiling, sources.retentionDays, user.retentionDays, min),
    notificationPrivacy: tighten(
      'notificationPrivacy',
      privacyCeiling,
      sources.notificationPrivacy,
      user.notificationPrivacy,
      stricterPrivacy,
    ),
    urgentRenotifyMinutes: pick('urgentRenotifyMinutes', machine.urgentRenotifyMinutes, undefined),
    // Deadlines and escalation are the ward's safety net: the hospital's to set, never loosened by a user.
    ackDeadlineChoices: pick('ackDeadlineChoices', machine.ackDeadlineChoices, undefined),
    ackDeadlineDefaultMinutes: pick(
      'ackDeadlineDefaultMinutes',
      machine.ackDeadlineDefaultMinutes,
      undefined,
    ),
    escalationTarget: pick('escalationTarget', machine.escalationTarget, undefined),
    // The MRN format is the hospital's: a user setting never widens what a patient tag may carry.
    mrnPattern: pick('mrnPattern', machine.mrnPattern, undefined),
    listPreviews: tighten(
      'listPreviews',
      previewsCeiling,
      sources.listPreviews,
      user.listPreviews,
      (a, b) => a && b,
    ),
    saveToDiskAllowed: tighten(
      'saveToDiskAllowed',
      saveCeiling,
      sources.saveToDiskAllowed,
      user.saveToDiskAllowed,
      (a, b) => a && b,
    ),
    complianceRecipientKey: pick('complianceRecipientKey', machine.complianceRecipientKey, undefined),
    externalLinkAllowlist: pick('externalLinkAllowlist', machine.externalLinkAllowlist, undefined),
    // Who may release a user's keys, and how long keys and devices live, are the hospital's to decide.
    keyService: pick('keyService', machine.keyService, undefined),
    historyRecovery: pick(
      'historyRecovery',
      machine.historyRecovery ?? (machine.keyService ? 'key-service' : undefined),
      undefined,
    ),
    userKeyRotationDays: pick('userKeyRotationDays', machine.userKeyRotationDays, undefined),
    deviceExpiryDays: pick('deviceExpiryDays', machine.deviceExpiryDays, undefined),
    // Whether a new device is used at once or only once accepted is the hospital's decision, like keyService.
    newDeviceTrust: pick('newDeviceTrust', machine.newDeviceTrust, undefined),
    // Whose signature may wipe a profile is IT's alone: a user's settings never add a key.
    adminSigningKeys: pick('adminSigningKeys', machine.adminSigningKeys, undefined),
    // What installs on the workstation, from where and signed by whom, is IT's alone.
    updates: pick('updates', machine.updates, undefined),
    updateUrl: pick('updateUrl', machine.updateUrl, undefined),
    updateChannel: pick('updateChannel', machine.updateChannel, undefined),
    updateSigningKeys: pick('updateSigningKeys', machine.updateSigningKeys, undefined),
    // Which way patient data leaves the workstation is IT's alone: a user's settings never name a proxy.
    proxyUrl: pick('proxyUrl', machine.proxyUrl, undefined),
    proxyBypass: pick('proxyBypass', machine.proxyBypass, undefined),
  };
  return { policy, sources };
}
