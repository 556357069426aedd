import { z } from 'zod';
import { compilesAnchored, DEFAULT_MRN_PATTERN, MAX_MRN_PATTERN_LENGTH } from '../patient/mrn-pattern';

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });
// zod runs this refinement even when the URL check above failed, so it must not throw on a non-URL.
const httpsOrigin = httpsUrl.refine(
  (value) => URL.canParse(value) && new URL(value).origin === value.replace(/\/$/, ''),
  { error: 'must be an origin (scheme, host and port only)' },
);
const x25519PublicKey = z
  .base64({ error: 'must be base64' })
  .refine((v) => Buffer.from(v, 'base64').length === 32, {
    error: 'must be a 32-byte X25519 public key',
  });
const ed25519PublicKey = z
  .base64({ error: 'must be base64' })
  .refine((v) => Buffer.from(v, 'base64').length === 32, {
    error: 'must be a 32-byte Ed25519 public key',
  });
const minutes = z.int().min(1).max(240);
const mrnPattern = z
  .string()
  .min(1)
  .max(MAX_MRN_PATTERN_LENGTH)
  .refine(compilesAnchored, { error: 'must be a regular expression anchored with ^ and $, like ^[0-9]{7}$' });
const proxyUrl = z.string().refine(
  (value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    // The port must be written out (":80" too); user, path, query and fragment make href differ.
    return url.protocol === 'http:' && /:\d{1,5}\/?$/.test(value) && url.href === `http://${url.host}/`;
  },
  { error: 'must be http://host:port, like http://proxy.hospital.example:8080 (no user, path or query)' },
);
const proxyBypassEntry = z
  .string()
  .max(253)
  .regex(/^(\*\.|\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$/, {
    error: 'must be a host name or IP address, or a domain like .hospital.example',
  });

/**
 * One schema for both the machine-wide policy file and the user's settings file. Unknown fields are
 * errors, so a misspelt setting in a pushed policy is reported instead of silently ignored.
 */
export const PolicyDocument = z.strictObject({
  hubUrl: httpsUrl.optional(),
  idp: z
    .strictObject({
      authority: httpsUrl,
      clientId: z.string().min(1),
      scopes: z.array(z.string().min(1)).min(1),
      knownAuthorities: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  gatewayUrl: httpsUrl.optional(),
  idleLockMaxMinutes: minutes.optional(),
  idleLockMinutes: minutes.optional(),
  retentionDays: z.int().min(1).max(3650).optional(),
  notificationPrivacy: z.enum(['hidden', 'sender', 'preview']).optional(),
  /** How often an unread urgent message notifies again. */
  urgentRenotifyMinutes: z.int().min(1).max(60).optional(),
  /** The acknowledgement deadlines a sender may pick, in minutes, and the default (docs/escalation.md). */
  ackDeadlineChoices: z
    .array(z.int().min(1).max(60))
    .min(1)
    .max(8)
    .refine((m) => new Set(m).size === m.length, { error: 'must not list a deadline twice' })
    .optional(),
  ackDeadlineDefaultMinutes: z.int().min(1).max(60).optional(),
  /** Who an unacknowledged message escalates to unless the sender picks someone. */
  escalationTarget: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('user'), userId: z.string().min(1).max(128) }),
      z.strictObject({ kind: z.literal('role'), roleId: z.string().min(1).max(128) }),
    ])
    .optional(),
  /** The hospital's MRN format (machine policy only): a patient tag whose MRN does not match is refused. */
  mrnPattern: mrnPattern.optional(),
  /** Whether the conversation list shows the first words of the last message (off for public desks). */
  listPreviews: z.boolean().optional(),
  saveToDiskAllowed: z.boolean().optional(),
  complianceRecipientKey: x25519PublicKey.optional(),
  externalLinkAllowlist: z.array(httpsOrigin).optional(),
  /** How a new workstation gets the user's key, so history follows the clinician (docs/key-design.md). */
  historyRecovery: z.enum(['key-service', 'own-devices', 'none']).optional(),
  /** The hospital's key-release service and the keys it is pinned to. */
  keyService: z
    .strictObject({ url: httpsUrl, releasePublicKey: x25519PublicKey, signingPublicKey: ed25519PublicKey })
    .optional(),
  userKeyRotationDays: z.int().min(1).max(365).optional(),
  deviceExpiryDays: z.int().min(1).max(3650).optional(),
  /**
   * A colleague's (or this user's) new device: 'notice' uses it and says so in every conversation with them;
   * 'verify' sends nothing to it until someone compares safety numbers and accepts it (docs/key-design.md).
   */
  newDeviceTrust: z.enum(['notice', 'verify']).optional(),
  /** IT's Ed25519 public keys: only a revocation signed by one of them wipes a profile (docs/remote-wipe.md). */
  adminSigningKeys: z
    .array(ed25519PublicKey)
    .max(16)
    .refine((keys) => new Set(keys).size === keys.length, { error: 'must not list a key twice' })
    .optional(),
  /** Signed updates (docs/updates.md): install them, only say one is there, or never look. */
  updates: z.enum(['auto', 'notify', 'off']).optional(),
  /** The hospital's update server: the channel manifest is `<updateUrl>/<updateChannel>.json`. */
  updateUrl: httpsUrl.optional(),
  updateChannel: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'must be a channel name like stable' })
    .optional(),
  /** Ed25519 keys trusted for update manifests besides the one built in (machine policy only). */
  updateSigningKeys: z
    .array(ed25519PublicKey)
    .max(8)
    .refine((keys) => new Set(keys).size === keys.length, { error: 'must not list a key twice' })
    .optional(),
  /** The HTTP proxy every connection goes through (machine policy only); else the system proxy. */
  proxyUrl: proxyUrl.optional(),
  /** Hosts reached without `proxyUrl`: names, IP addresses, or `.domain` / `*.domain` (machine policy only). */
  proxyBypass: z.array(proxyBypassEntry).max(64).optional(),
});
export type PolicyDocument = z.infer<typeof PolicyDocument>;

export type NotificationPrivacy = NonNullable<PolicyDocument['notificationPrivacy']>;
export type IdpSettings = NonNullable<PolicyDocument['idp']>;

export interface EffectivePolicy {
  hubUrl: string | null;
  idp: IdpSettings | null;
  gatewayUrl: string | null;
  idleLockMaxMinutes: number;
  idleLockMinutes: number;
  retentionDays: number;
  notificationPrivacy: NotificationPrivacy;
  urgentRenotifyMinutes: number;
  ackDeadlineChoices: number[];
  ackDeadlineDefaultMinutes: number;
  escalationTarget: { kind: 'user'; userId: string } | { kind: 'role'; roleId: string } | null;
  mrnPattern: string;
  listPreviews: boolean;
  saveToDiskAllowed: boolean;
  complianceRecipientKey: string | null;
  externalLinkAllowlist: string[];
  historyRecovery: 'key-service' | 'own-devices' | 'none';
  keyService: { url: string; releasePublicKey: string; signingPublicKey: string } | null;
  userKeyRotationDays: number;
  deviceExpiryDays: number;
  adminSigningKeys: string[];
  updates: 'auto' | 'notify' | 'off';
  updateUrl: string | null;
  updateChannel: string;
  updateSigningKeys: string[];
  newDeviceTrust: 'notice' | 'verify';
  proxyUrl: string | null;
  proxyBypass: string[];
}

/** The safe defaults: what applies where no valid policy says otherwise. */
export const defaultPolicy: EffectivePolicy = {
  hubUrl: null,
  idp: null,
  gatewayUrl: null,
  idleLockMaxMinutes: 5,
  idleLockMinutes: 5,
  retentionDays: 30,
  notificationPrivacy: 'sender',
  urgentRenotifyMinutes: 2,
  ackDeadlineChoices: [2, 5, 10, 15],
  ackDeadlineDefaultMinutes: 5,
  escalationTarget: null,
  mrnPattern: DEFAULT_MRN_PATTERN,
  listPreviews: true,
  saveToDiskAllowed: false,
  complianceRecipientKey: null,
  externalLinkAllowlist: [],
  historyRecovery: 'own-devices',
  keyService: null,
  userKeyRotationDays: 7,
  deviceExpiryDays: 90,
  adminSigningKeys: [],
  updates: 'notify',
  updateUrl: null,
  updateChannel: 'stable',
  updateSigningKeys: [],
  newDeviceTrust: 'notice',
  proxyUrl: null,
  proxyBypass: [],
};
