import type { ContactDevice } from '../../../shared/contract';
import type { AuditLog } from '../audit';
import type { ConnectionStateStore } from '../connection/connection-state';
import type { BackoffOptions, HubClient } from '../hub';
import type { LoadedDevice } from '../keys';
import type { Logger } from '../log/logger';
import type { OwnDeviceRevoked } from '../revocation';
import type { ProfileStore } from '../store';
import type { NewDeviceTrust, TrustService } from '../trust';

/** What a signed-in session needs from the hub: a connection bound to this device, and revocation news. */
export interface DeviceLink {
  /** The hub connection itself, for the messaging engine. */
  readonly hub: HubClient;
  /** Connects in the background, forever; registers and binds the device on every (re)connect. */
  start(): void;
  stop(): Promise<void>;
  /**
   * The hub says this device was revoked (by the user elsewhere, by expiry, or by IT), with the signed
   * revocation it handed over, if any: the session verifies it before it wipes anything.
   */
  onRevoked(handler: (revoked: OwnDeviceRevoked) => void | Promise<void>): void;
  /** Something the user should know about the link (clocks apart, device entry refused); null when cleared. */
  onProblem(handler: (problem: { code: string; message: string } | null) => void): void;
  /** Revokes another device of this user (re-enrolment retires the old one). */
  revokeDevice(deviceId: string): Promise<void>;
  /** Contact devices from the directory, each checked against its self-signature and this profile's pins. */
  contactDevices(userIds: string[]): Promise<ContactDevice[]>;
  /** The user compared safety numbers and accepts a contact device's new key (audited). */
  acceptKeyChange(userId: string, deviceId: string): Promise<void>;
  /** The user compared safety numbers and accepts a new device held under newDeviceTrust "verify" (audited). */
  acceptNewDevice(userId: string, deviceId: string): Promise<void>;
  /** The profile's one trust service (pins, new devices, notices), shared with the messaging engine. */
  readonly trust: TrustService;
}

export type ConnectDevice = (options: {
  hubUrl: string;
  getAccessToken: () => Promise<string>;
  device: LoadedDevice;
  store: ProfileStore;
  audit: AuditLog;
  connection: ConnectionStateStore;
  log: Logger;
  /** Reconnect delays; the hub client's defaults when absent. */
  backoff?: BackoffOptions;
  /** Machine policy: what a new device of a colleague (or of this user) gets; 'notice' when absent. */
  newDeviceTrust?: NewDeviceTrust;
}) => DeviceLink;
