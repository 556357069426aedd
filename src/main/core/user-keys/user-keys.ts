import { hostname } from 'node:os';
import type { AuditLog } from '../audit';
import type { HubResult } from '../../../shared/hub-protocol';
import { fromBase64 } from '../crypto';
import { AppError } from '../errors';
import { HubCallError, type HubClient } from '../hub';
import type { LoadedDevice } from '../keys';
import type { Logger } from '../log/logger';
import type { EffectivePolicy } from '../policy';
import type { DeviceKeys } from '../messaging/device-keys';
import {
  depositUserKey,
  listReleaseNotices,
  requestKeyRelease,
  type ReleaseNotice,
} from './key-service-client';
import type { UserKeyEpochSecret, UserKeyring } from './keyring';
import { signUserKey, verifyUserKey, type VerifiedUserKey } from './record';
import { openKeyRelease, sealKeyRelease, type KeyReleaseMessage } from './release';

const day = 24 * 60 * 60 * 1000;

/** Where this device stands with its user's key; shown to the user when it is not 'ready'. */
export type UserKeyStatus =
  | { state: 'ready'; epoch: number }
  | { state: 'waiting'; message: string }
  | { state: 'refused'; code: string; message: string };

export interface UserKeysDeps {
  hub: Pick<HubClient, 'call'>;
  device: LoadedDevice;
  keyring: UserKeyring;
  keys: DeviceKeys;
  policy: EffectivePolicy;
  audit: AuditLog;
  log: Logger;
  accessToken: () => Promise<string>;
  /** This workstation's name as releases and notices show it (the host name by default). */
  deviceName?: string;
  /** Told whenever the status or the list of releases changed. */
  onChange?: () => void;
  now?: () => Date;
}

/**
 * The user key of this device's user (docs/key-design.md): created by the first device, rotated on schedule
 * and on revocation, received on a new workstation from the key service or from another own device, released
 * by this device to the user's new devices, and forgotten when retention has passed.
 */
export function createUserKeys(deps: UserKeysDeps) {
  const { hub, device, keyring, keys, policy, log } = deps;
  const me = device.userId;
  const now = deps.now ?? (() => new Date());
  // The name the device signed into its directory entry; a device enrolled before names has none signed.
  const deviceName =
    device.deviceName ?? ((deps.deviceName ?? hostname()).toUpperCase().slice(0, 64) || 'WORKSTATION');
  const keyService = policy.historyRecovery === 'key-service' ? policy.keyService : null;
  let status: UserKeyStatus = { state: 'waiting', message: 'Getting your key for this computer…' };
  let notices: ReleaseNotice[] = [];
  let noticesReadAt = 0;
  let lastObtainAt = 0;
  // A deposit that failed (key service down) is made again on the next connect.
  let depositPending = false;
  const setStatus = (next: UserKeyStatus): void => {
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    status = next;
    deps.onChange?.();
  };
  const arrivedHandlers: Array<(epochs: number[]) => void> = [];
  const current = new Map<string, { key: VerifiedUserKey; at: number }>();
  // Users whose newest user key was signed by a new device nobody has accepted here yet (newDeviceTrust
  // "verify"): nothing is sealed to that key; the key they had before is kept only to say who is held back.
  const heldBack = new Set<string>();

  // Only an accepted device's signature makes a user key usable (a new device held under "verify" does not).
  const verify = (record: unknown): VerifiedUserKey | null =>
    verifyUserKey(record, (userId, deviceId) => keys.trustedKey(userId, deviceId));
  const signedByHeldDevice = (r: { userId: string; signerDeviceId: string }): boolean => {
    const signer = keys.sender(r.userId, r.signerDeviceId);
    return signer !== null && !signer.accepted;
  };

  /** The verified records of these users' current epochs, fresh from the hub (at most `maxAgeMs` old). */
  async function currentKeys(userIds: string[], maxAgeMs = 30_000): Promise<Map<string, VerifiedUserKey>> {
    const wanted = [...new Set(userIds)];
    const stale = wanted.filter((u) => {
      const c = current.get(u);
      return !c || Date.now() - c.at > maxAgeMs;
    });
    if (stale.length > 0) {
      let userKeys: HubResult<'GetUserKeys'>['userKeys'];
      try {
        ({ userKeys } = await hub.call('GetUserKeys', { userIds: stale }));
      } catch (error) {
        // Offline, the keys last verified still serve, even if some member's is missing: the message waits in
        // the outbox, and the hub refuses it (stale_recipients) if it leaves out anyone, so it is sealed again.
        const offline = error instanceof AppError && error.code === 'hub_unreachable';
        if (!offline) throw error;
        userKeys = [];
      }
      const signers = userKeys.filter((r) => !keys.has(r.userId, r.signerDeviceId)).map((r) => r.userId);
      if (signers.length > 0) await keys.refresh([...new Set(signers)]);
      for (const record of userKeys) {
        if (!stale.includes(record.userId)) continue;
        if (signedByHeldDevice(record)) {
          // Never sealed to; the newest epoch an accepted device signed says what the user had before.
          heldBack.add(record.userId);
          log.warn({ userId: record.userId, epoch: record.epoch }, 'user key held: new device not accepted');
          const earlier = await newestAccepted(record.userId, record.epoch);
          if (earlier) current.set(record.userId, { key: earlier, at: Date.now() });
          else current.delete(record.userId);
          continue;
        }
        const key = verify(record);
        if (!key || key.userId !== record.userId) {
          log.warn({ userId: record.userId, epoch: record.epoch }, 'user key refused: signature');
          continue;
        }
        heldBack.delete(key.userId);
        current.set(key.userId, { key, at: Date.now() });
      }
    }
    const out = new Map<string, VerifiedUserKey>();
    for (const u of wanted) {
      const c = current.get(u);
      if (c) out.set(u, c.key);
    }
    return out;
  }

  /** The newest epoch of a user below `below` whose record an accepted device signed, verified; or null. */
  async function newestAccepted(userId: string, below: number): Promise<VerifiedUserKey | null> {
    const { userKeys } = await hub.call('GetUserKeys', { userIds: [userId], all: true });
    const candidates = userKeys
      .filter((r) => r.userId === userId && r.epoch < below)
      .sort((a, b) => b.epoch - a.epoch);
    for (const record of candidates) {
      const key = verify(record);
      if (key && key.userId === userId) return key;
    }
    return null;
  }

  async function gained(epochs: number[], via: string): Promise<void> {
    if (epochs.length === 0) return;
    deps.audit.append({ kind: 'user-key-received', details: { epochs: epochs.join(','), via } });
    arrivedHandlers.forEach((h) => h(epochs));
  }

  /** Opens the releases other devices of this user left in this device's mailbox, then deletes them. */
  async function collectReleases(): Promise<void> {
    const { releases } = await hub.call('GetKeyReleases', {});
    if (releases.length === 0) return;
    await keys.refresh([me]);
    for (const release of releases) {
      try {
        const secrets = openKeyRelease(release as KeyReleaseMessage, device, (deviceId) =>
          keys.activeKey(me, deviceId),
        );
        await gained(await keyring.add(secrets), `device:${release.fromDeviceId}`);
      } catch (error) {
        // A release that does not verify is refused alone, audited, and never used.
        const code = error instanceof AppError ? error.code : 'internal';
        deps.audit.append({
          kind: 'key-release-refused',
          details: { releaseId: release.releaseId, fromDeviceId: release.fromDeviceId, code },
        });
        log.warn({ releaseId: release.releaseId, code }, 'key release refused');
      }
      await hub.call('DeleteKeyRelease', { releaseId: release.releaseId });
    }
  }

  /** Seals these epochs to each other device of this user that is verified and not revoked. */
  async function releaseToOwnDevices(epochs: UserKeyEpochSecret[], onlyDeviceId?: string): Promise<void> {
    const mine = await keys.refresh([me]);
    for (const d of mine) {
      if (onlyDeviceId && d.deviceId !== onlyDeviceId) continue;
      if (d.status === 'revoked' || d.status === 'invalid-signature' || d.status === 'key-changed') continue;
      // A new workstation held under newDeviceTrust "verify" gets nothing until the user accepts it here.
      if (d.status === 'unaccepted' || !d.accepted) continue;
      const encryptionPublicKey = fromBase64(d.encryptionPublicKey, 32);
      if (!encryptionPublicKey) continue;
      const release = await sealKeyRelease({
        from: device,
        to: { deviceId: d.deviceId, encryptionPublicKey },
        epochs,
      });
      await hub.call('PostKeyRelease', release);
      deps.audit.append({
        kind: 'user-key-released',
        details: { toDeviceId: d.deviceId, epochs: epochs.map((e) => e.epoch).join(',') },
      });
    }
  }

  async function deposit(secret: UserKeyEpochSecret, record: ReturnType<typeof signUserKey>) {
    if (!keyService) return;
    try {
      await depositUserKey(keyService, await deps.accessToken(), record, secret);
    } catch (error) {
      // The epoch is still usable; the next connect deposits it again.
      depositPending = true;
      log.warn({ code: error instanceof AppError ? error.code : 'internal' }, 'user key not deposited');
    }
  }

  /** Makes and publishes epoch `next`; false when another device of the user published it first. */
  async function publishEpoch(next: number): Promise<boolean> {
    const secret = await keyring.generate(next);
    const record = signUserKey(device, {
      epoch: next,
      publicKey: fromBase64(secret.publicKey, 32)!,
      createdAt: secret.createdAt,
    });
    try {
      await hub.call('PublishUserKey', {
        epoch: record.epoch,
        publicKey: record.publicKey,
        createdAt: record.createdAt,
        signerDeviceId: record.signerDeviceId,
        signature: record.signature,
      });
    } catch (error) {
      await keyring.forget([next]);
      if (error instanceof HubCallError && error.hubCode === 'conflict') return false;
      throw error;
    }
    current.delete(me);
    deps.audit.append({ kind: 'user-key-created', details: { epoch: next } });
    await deposit(secret, record);
    await releaseToOwnDevices([secret]);
    return true;
  }

  /** Deposits every held epoch the service may not have (idempotent on the service). */
  async function depositHeld(): Promise<void> {
    if (!keyService) return;
    const { userKeys } = await hub.call('GetUserKeys', { userIds: [me], all: true });
    for (const record of userKeys) {
      const secret = keyring.exportSecrets([record.epoch])[0];
      if (secret && verify(record)) await deposit(secret, record);
    }
  }

  const api = {
    status: (): UserKeyStatus => status,
    notices: (): ReleaseNotice[] => notices,
    currentKeys,
    /** Of these users, those whose newest user key a new device signed that nobody accepted here yet. */
    heldBack: (userIds: readonly string[]): string[] => userIds.filter((u) => heldBack.has(u)),
    /** Reads these users' keys again on next use (a device of theirs was seen or accepted). */
    forgetVerified(userIds: readonly string[]): void {
      for (const u of userIds) {
        current.delete(u);
        heldBack.delete(u);
      }
    },
    onKeysArrived(handler: (epochs: number[]) => void): void {
      arrivedHandlers.push(handler);
    },
    openWithUserKey: (epoch: number, sealed: Uint8Array): Uint8Array | null => keyring.open(epoch, sealed),
    /**
     * On every connect, before the sync: collects releases, then makes sure this device holds its user's
     * current key (creating the first one, asking the key service, or waiting for another own device), and
     * rotates a key older than the policy allows.
     */
    async onConnected(): Promise<void> {
      await collectReleases();
      let hubCurrent = (await currentKeys([me], 0)).get(me) ?? null;
      if (!hubCurrent) {
        if (!(await publishEpoch(1))) hubCurrent = (await currentKeys([me], 0)).get(me) ?? null;
      }
      hubCurrent ??= (await currentKeys([me], 0)).get(me) ?? null;
      if (hubCurrent && !keyring.has(hubCurrent.epoch)) await obtain(hubCurrent.epoch);
      if (hubCurrent && keyring.has(hubCurrent.epoch)) {
        const age = now().getTime() - Date.parse(hubCurrent.createdAt);
        if (age > policy.userKeyRotationDays * day) await api.rotate('schedule');
      }
      if (depositPending) {
        depositPending = false;
        await depositHeld();
      }
      const held = keyring.current();
      if (held && hubCurrent && keyring.has(hubCurrent.epoch))
        setStatus({ state: 'ready', epoch: held.epoch });
      await api.refreshNotices(0);
    },
    /** A new epoch; after a revocation, so the revoked device cannot read what follows. */
    async rotate(reason: 'schedule' | 'revocation' | 'new-device'): Promise<void> {
      const hubCurrent = (await currentKeys([me], 0)).get(me);
      const next = (hubCurrent?.epoch ?? 0) + 1;
      if (await publishEpoch(next)) log.info({ epoch: next, reason }, 'user key rotated');
      else await collectReleases();
    },
    /** Another device of this user enrolled: release the held epochs to it when policy lets own devices do it. */
    async ownDeviceRegistered(deviceId: string): Promise<void> {
      if (deviceId === device.deviceId || policy.historyRecovery !== 'own-devices') return;
      const held = keyring.exportSecrets();
      if (held.length > 0) await releaseToOwnDevices(held, deviceId);
    },
    async collectReleases(): Promise<void> {
      await collectReleases();
      const hubCurrent = (await currentKeys([me], 0)).get(me);
      if (hubCurrent && keyring.has(hubCurrent.epoch)) setStatus({ state: 'ready', epoch: hubCurrent.epoch });
    },
    /** Reads the key service's release notices again, unless that was done less than `minAgeMs` ago. */
    async refreshNotices(minAgeMs = 10_000): Promise<void> {
      if (!keyService || Date.now() - noticesReadAt < minAgeMs) return;
      noticesReadAt = Date.now();
      try {
        const fresh = await listReleaseNotices(keyService, await deps.accessToken());
        if (JSON.stringify(fresh) !== JSON.stringify(notices)) {
          notices = fresh;
          deps.onChange?.();
        }
      } catch (error) {
        log.debug({ code: error instanceof AppError ? error.code : 'internal' }, 'release notices not read');
      }
    },
    /**
     * Forward secrecy: deletes the private parts of every epoch older than the one before the current one.
     * The caller does it only once nothing stored waits for a key, so everything sealed to them is stored
     * here already. Returns the epochs forgotten.
     */
    async forgetExpired(): Promise<number[]> {
      const epochs = keyring.epochs().map((e) => e.epoch);
      const drop = epochs.slice(0, Math.max(0, epochs.length - 2));
      await keyring.forget(drop);
      if (drop.length > 0)
        deps.audit.append({ kind: 'user-key-forgotten', details: { epochs: drop.join(',') } });
      return drop;
    },
    /**
     * After a refused release the user signs in again (with the second factor the message asked for): ask the
     * key service again; without a new sign-in (`afterSignIn` false) at most once a minute.
     */
    async retryIfRefused(afterSignIn: boolean): Promise<void> {
      if (status.state !== 'refused') return;
      if (!afterSignIn && Date.now() - lastObtainAt < 60_000) return;
      const hubCurrent = (await currentKeys([me], 0)).get(me);
      if (!hubCurrent) return;
      await obtain(hubCurrent.epoch);
      if (keyring.has(hubCurrent.epoch)) setStatus({ state: 'ready', epoch: hubCurrent.epoch });
    },
  };

  /** Gets the key of `epoch` on a device that lacks it, the way policy says. */
  async function obtain(epoch: number): Promise<void> {
    lastObtainAt = Date.now();
    if (keyService) {
      try {
        const secrets = await requestKeyRelease(keyService, await deps.accessToken(), device, deviceName);
        await gained(await keyring.add(secrets), 'key-service');
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        setStatus({ state: 'refused', code: error.code, message: error.message });
        deps.audit.append({ kind: 'key-release-refused', details: { via: 'key-service', code: error.code } });
        return;
      }
      if (keyring.has(epoch)) return;
    }
    if (policy.historyRecovery === 'none') {
      // No history on a new workstation: a new epoch that this device makes and shares with the others.
      await api.rotate('new-device');
      return;
    }
    setStatus({
      state: 'waiting',
      message:
        'Your earlier messages will open here once one of your other signed-in computers shares your key.',
    });
  }

  return api;
}
export type UserKeys = ReturnType<typeof createUserKeys>;
