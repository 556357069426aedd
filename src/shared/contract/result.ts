/** Every call across the IPC boundary answers one of these; errors carry a stable code and a safe message. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface IpcError {
  code: IpcErrorCode;
  message: string;
}

export const ipcErrorCodes = [
  'unknown_call',
  'invalid_args',
  'forbidden_sender',
  'internal',
  'policy_invalid',
  'not_configured',
  // identity, keys and the local store (issue 4)
  'keychain_unavailable',
  'key_missing',
  'key_corrupt',
  'device_exists',
  'device_entry_invalid',
  'store_key_wrong',
  'store_from_future',
  'store_migration_failed',
  'pin_invalid',
  'pin_not_set',
  'pin_wrong',
  'pin_locked_out',
  'profiles_corrupt',
  'profile_not_found',
  /**
   * This profile's local data (database, its key or the device keys) is damaged or missing: nothing was
   * changed, the files are kept for IT, and `session.startProfileOver` is the way out.
   */
  'profile_damaged',
  // sign-in
  'idp_unreachable',
  'consent_refused',
  'clock_skew',
  'offline_token_expired',
  'sign_in_required',
  'sign_in_failed',
  'signed_out',
  'locked',
  'device_revoked',
  /** The hub revoked this workstation without IT's signature: locked, data kept, a full sign-in needed. */
  'access_withdrawn',
  // the hub connection (src/main/core/hub)
  'hub_unreachable',
  'hub_protocol_error',
  'hub_refused',
  /** The proxy (policy proxyUrl, or the system proxy) is down or refused the connection: nothing was sent. */
  'proxy_unreachable',
  // end-to-end envelopes (src/main/core/envelope)
  'envelope_rejected',
  'envelope_pool_failed',
  // messaging
  'not_found',
  /** A status the app does not know, or a Do not disturb end in the past or more than 24 hours ahead. */
  'availability_invalid',
  'recipient_key_changed',
  /** A member's new workstation waits for acceptance (newDeviceTrust "verify"): nothing is sealed to it. */
  'device_not_accepted',
  /** Nobody holding the role is available, or nobody holds it: nothing was sent; the backup is offered. */
  'role_unstaffed',
  /** The hub's roster entry for the role failed IT's signature check (docs/roster.md): nothing was sent. */
  'role_unverified',
  /** An acknowledgement deadline or escalation target the machine policy does not offer: nothing was sent. */
  'deadline_not_allowed',
  /** A patient tag missing its MRN or name, or an MRN not in the hospital's format (mrnPattern): nothing was sent. */
  'invalid_patient',
  // user keys and history on a new workstation (docs/key-design.md)
  'user_key_invalid',
  'key_release_refused',
  'key_service_unreachable',
  'mfa_required',
  // tamper-evident documents (src/main/core/documents)
  'document_unverified',
  'document_refused',
  'forbidden_by_policy',
  'cancelled',
  /** The hub's minimum client version is above this one: reading goes on, sending waits for the update. */
  'update_required',
] as const;
export type IpcErrorCode = (typeof ipcErrorCodes)[number];

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: IpcErrorCode, message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});
