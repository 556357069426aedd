/**
 * What each policy key does, for IT: the admin templates (ADMX/ADML, .mobileconfig) and the key reference
 * are generated from these and the schema. A key the schema gains without an entry here still appears in
 * every template (with its name as its title); tests/unit/policy/templates.test.ts then fails and names it.
 */
export interface KeyDoc {
  title: string;
  text: string;
  /** A valid value for the example .mobileconfig where the default is "not set". */
  example?: unknown;
}

export const policyDescriptions: Record<string, KeyDoc> = {
  hubUrl: {
    title: 'Messaging hub address',
    text: 'The https:// address of the hospital messaging hub. Machine policy wins; while a machine policy is in force a user setting is used only where the policy names none, and never while the machine policy is refused.',
    example: 'https://hub.hospital.example/hub',
  },
  idp: {
    title: 'Sign-in (identity provider)',
    text: 'The hospital sign-in service: authority (https:// URL), clientId, scopes (one a line) and optionally knownAuthorities (one a line). On Windows these are values of the subkey "idp".',
    example: {
      authority: 'https://login.hospital.example/tenant/',
      clientId: 'clinical-messenger',
      scopes: ['api://clinical-messenger-hub/.default', 'offline_access'],
    },
  },
  'idp.authority': { title: 'Authority', text: 'The https:// URL of the sign-in authority (tenant).' },
  'idp.clientId': {
    title: 'Client ID',
    text: 'The application (client) ID registered for Clinical Messenger.',
  },
  'idp.scopes': { title: 'Scopes', text: 'The scopes requested at sign-in, one a line.' },
  'idp.knownAuthorities': {
    title: 'Known authorities',
    text: 'Host names trusted as sign-in authorities (B2C or custom domains), one a line.',
  },
  gatewayUrl: {
    title: 'Document store (IPFS gateway) address',
    text: 'The https:// address of the hospital document gateway used for attachments.',
    example: 'https://ipfs.hospital.example',
  },
  idleLockMaxMinutes: {
    title: 'Screen lock: longest idle time (minutes)',
    text: 'The longest a signed-in screen may stay idle before it locks (1-240, default 5). Users may choose a shorter time, never a longer one.',
  },
  idleLockMinutes: {
    title: 'Screen lock: idle time (minutes)',
    text: 'The idle time before the screen locks (1-240), capped by the longest idle time.',
  },
  retentionDays: {
    title: 'Messages kept on the device (days)',
    text: 'How long messages are kept on a workstation (1-3650, default 30). Users may only shorten it.',
  },
  notificationPrivacy: {
    title: 'Notification detail',
    text: 'What an OS notification shows: hidden (no details), sender (default) or preview. Users may only choose less detail.',
  },
  urgentRenotifyMinutes: {
    title: 'Urgent re-notification interval (minutes)',
    text: 'How often an unread urgent message notifies again (1-60, default 2). Machine policy only.',
  },
  ackDeadlineChoices: {
    title: 'Acknowledgement deadlines offered (minutes)',
    text: 'The acknowledgement deadlines a sender may pick, one a line (1-60 each, up to 8, default 2, 5, 10, 15). Machine policy only.',
  },
  ackDeadlineDefaultMinutes: {
    title: 'Default acknowledgement deadline (minutes)',
    text: 'The deadline preselected for a message that needs acknowledgement (1-60, default 5). Machine policy only.',
  },
  escalationTarget: {
    title: 'Escalation target',
    text: 'Who an unacknowledged message escalates to unless the sender picks someone: kind "user" with userId, or kind "role" with roleId. On Windows these are values of the subkey "escalationTarget". Machine policy only.',
    example: { kind: 'role', roleId: 'ward-3b-nurse-in-charge' },
  },
  'escalationTarget.kind': { title: 'Kind', text: 'user or role.' },
  'escalationTarget.userId': { title: 'User ID', text: 'The user to escalate to (kind user).' },
  'escalationTarget.roleId': { title: 'Role ID', text: 'The role to escalate to (kind role).' },
  mrnPattern: {
    title: 'Patient MRN format',
    text: 'A regular expression anchored with ^ and $ (for example ^[0-9]{7}$): a patient tag whose MRN does not match is refused. Machine policy only.',
  },
  listPreviews: {
    title: 'Show message previews in the conversation list',
    text: 'Whether the conversation list shows the first words of the last message (off for public desks). Users may turn previews off, never on.',
  },
  saveToDiskAllowed: {
    title: 'Allow saving documents to disk',
    text: 'Whether documents may be saved outside the app (default off). Users may only turn it off.',
  },
  complianceRecipientKey: {
    title: 'Compliance copy key',
    text: 'The hospital compliance archive X25519 public key (base64, 32 bytes): every message is also sealed to it. Machine policy only.',
    example: 'REPLACEwithTHEcomplianceKEYbase64AAAAAAAAAA=',
  },
  externalLinkAllowlist: {
    title: 'Links that may open in the browser',
    text: 'The https:// origins (scheme, host and port) that links in messages may open, one a line. Machine policy only.',
  },
  historyRecovery: {
    title: 'Message history on a new workstation',
    text: 'How a new workstation gets the user key: key-service (the hospital key-release service), own-devices (from another of the user\u2019s devices, default) or none. Machine policy only.',
  },
  keyService: {
    title: 'Key-release service',
    text: 'The hospital key-release service: url (https://), releasePublicKey and signingPublicKey (base64, 32 bytes each). On Windows these are values of the subkey "keyService". Machine policy only.',
    example: {
      url: 'https://keys.hospital.example',
      releasePublicKey: 'REPLACEwithTHEreleaseKEYinBASE64AAAAAAAAAAA=',
      signingPublicKey: 'REPLACEwithTHEsigningKEYinBASE64AAAAAAAAAAA=',
    },
  },
  'keyService.url': { title: 'URL', text: 'The https:// address of the key-release service.' },
  'keyService.releasePublicKey': {
    title: 'Release public key',
    text: 'The X25519 public key the service releases keys to (base64, 32 bytes).',
  },
  'keyService.signingPublicKey': {
    title: 'Signing public key',
    text: 'The Ed25519 key the service signs with (base64, 32 bytes).',
  },
  userKeyRotationDays: {
    title: 'User key rotation (days)',
    text: 'How often a user key is replaced (1-365, default 7). Machine policy only.',
  },
  deviceExpiryDays: {
    title: 'Unused profile expiry (days)',
    text: 'A profile unused for this long is wiped from the workstation (1-3650, default 90). Machine policy only.',
  },
  newDeviceTrust: {
    title: 'A colleague\u2019s new device',
    text: 'notice (default): a new device is used at once and announced in every conversation; verify: nothing is sent to it until someone compares safety numbers and accepts it. Machine policy only.',
  },
  adminSigningKeys: {
    title: 'IT signing keys for remote wipe',
    text: 'The Ed25519 public keys (base64, one a line, up to 16) whose signature on a revocation wipes a profile (npm run admin -- keygen). Machine policy only.',
  },
  updates: {
    title: 'Updates',
    text: 'auto: install signed updates; notify (default): say an update is available; off: never look. Managed fleets use off or notify.',
  },
  updateUrl: {
    title: 'Update server address',
    text: 'The https:// address of the hospital update server; the manifest is <updateUrl>/<updateChannel>.json.',
    example: 'https://updates.hospital.example/clinical-messenger',
  },
  updateChannel: {
    title: 'Update channel',
    text: 'The update channel name, lower-case letters, digits and dashes (default stable).',
  },
  updateSigningKeys: {
    title: 'Extra update signing keys',
    text: 'Ed25519 public keys (base64, one a line, up to 8) trusted for update manifests besides the one built into the app. Machine policy only.',
  },
  proxyUrl: {
    title: 'Proxy',
    text: 'The HTTP proxy (http://host:port) that every connection to the hub, sign-in service, document gateway, key service and update server goes through, as a CONNECT tunnel (TLS stays end to end). Not set: the system proxy. Machine policy only.',
    example: 'http://proxy.hospital.example:8080',
  },
  proxyBypass: {
    title: 'Hosts reached without the proxy',
    text: 'Host names or IP addresses reached directly, not through proxyUrl, one a line (up to 64); .hospital.example or *.hospital.example covers a domain and every name below it. Machine policy only.',
  },
};
