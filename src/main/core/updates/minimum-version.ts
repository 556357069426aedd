import type { HubMethodName } from '../../../shared/hub-protocol';
import { AppError } from '../errors';
import { compareVersions, parseVersion } from './version';

/**
 * The hub methods that send something of this user's to others: messages, receipts, typing, conversations
 * and their keys. Below the hub's minimum version these are refused before they leave the workstation;
 * reading (Sync, the directory, keys) goes on, so what is already on the device stays readable.
 */
const sendingMethods: ReadonlySet<HubMethodName> = new Set<HubMethodName>([
  'Send',
  'SendReceipt',
  'Typing',
  'CreateConversation',
  'AddMember',
  'RemoveMember',
  'PublishConversationKey',
  'SetAvailability',
]);

export interface MinimumVersionStatus {
  currentVersion: string;
  /** The minimum the hub last announced (a bounded x.y.z), or null. */
  minimumVersion: string | null;
  updateRequired: boolean;
}

export interface MinimumVersionGate {
  /** Takes the hub's `minimumClientVersion` from a Hello (already schema-checked: x.y.z or absent). */
  observe(minimum: string | null | undefined): void;
  status(): MinimumVersionStatus;
  /** Throws `update_required` while this version is below the hub's minimum. */
  assertMaySend(): void;
  /** Whether the hub method sends something (and is refused while an update is required). */
  isSending(method: HubMethodName): boolean;
  onChange(listener: (status: MinimumVersionStatus) => void): () => void;
}

/**
 * The hub's minimum client version. The hub is not trusted: its value can only block sending on this
 * workstation (which a hostile hub could do anyway by refusing calls), never make anything install. The last
 * value announced holds until a later Hello says otherwise, so a reconnect cannot slip a send through.
 */
export function createMinimumVersionGate(currentVersion: string): MinimumVersionGate {
  let minimumVersion: string | null = null;
  const listeners = new Set<(status: MinimumVersionStatus) => void>();
  const required = (): boolean => {
    if (minimumVersion === null) return false;
    const order = compareVersions(currentVersion, minimumVersion);
    // A running version that is not x.y.z (a development build) is treated as below any minimum.
    return order === null || order < 0;
  };
  const status = (): MinimumVersionStatus => ({ currentVersion, minimumVersion, updateRequired: required() });
  return {
    observe(minimum) {
      const next = typeof minimum === 'string' && parseVersion(minimum) ? minimum : null;
      if (next === minimumVersion) return;
      minimumVersion = next;
      const now = status();
      for (const listener of [...listeners]) listener(now);
    },
    status,
    assertMaySend() {
      if (!required()) return;
      throw new AppError(
        'update_required',
        `This version (${currentVersion}) is below the minimum the hub requires (${minimumVersion}). ` +
          'Messages on this computer can still be read; ask IT to install the update before sending.',
      );
    },
    isSending: (method) => sendingMethods.has(method),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
