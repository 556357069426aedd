import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import type { ContactDevice, ProfileSummary, SessionState } from '../../../shared/contract';
import { createAuditLog, type AuditLog } from '../audit';
import type { ConnectionStateStore } from '../connection/connection-state';
import { constantTimeEqual, deriveKey } from '../crypto';
import { AppError } from '../errors';
import type { EventBus } from '../events/event-bus';
import {
  createMsalClient,
  encryptedCachePlugin,
  tokenCacheKey,
  writeEncryptedCache,
  type MsalClient,
  type SignedInUser,
} from '../identity';
import type { Keychain } from '../keychain';
import { deviceKeysAccount, enrolDevice, fingerprint, loadDevice, type LoadedDevice } from '../keys';
import { loadUserKeyring, type UserKeyring } from '../user-keys';
import {
  createIdleLock,
  defaultMaxPinAttempts,
  pinStatus,
  resetAfterSignIn,
  setPin,
  unlockWithPin,
  PinWrongError,
  type IdleLock,
} from '../lock';
import type { Logger } from '../log/logger';
import type { EffectivePolicy } from '../policy';
import {
  expireUnusedProfiles,
  openProfileRegistry,
  removeProfile,
  type Profile,
  type ProfileRegistry,
} from '../profiles';
import { verifyRevocation, type OwnDeviceRevoked, type RevocationRefusal } from '../revocation';
import {
  checkStoreAhead,
  getSetting,
  latestVersion,
  openProfileStore,
  profileMigrations,
  setSetting,
  type ProfileStore,
} from '../store';
import { ProfileDamagedError, type StoreDamage } from '../store/open';
import { urgentUnreadTotal } from '../messages/urgent-unread';
import { createStoreKey, existingStoreKey, setAsideStoreKey } from '../store/store-key';
import type { ConnectDevice, DeviceLink } from './device-link';
import { retireDevices } from './retire-device';
import { stageDevice } from './staged-device';

/** What the lock screen says after the hub revoked this workstation without IT's signature. */
export const accessWithdrawnMessage =
  'Your access on this workstation was withdrawn by the server. Sign in again.';

/**
 * Kept in the profile (setting `accessWithdrawn`) from an unsigned revocation until the next full sign-in, so
 * a restart does not let the PIN open the profile again.
 */
interface Withdrawn {
  [key: string]: string;
  deviceId: string;
  reason: RevocationRefusal;
  at: string;
}
const withdrawnSetting = 'accessWithdrawn';

export interface SessionTimers {
  now?: () => number;
  /** Calls `fn` once after `ms`. */
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

export interface SessionOptions {
  appDataDir: string;
  keychain: Keychain;
  policy: EffectivePolicy;
  /** Opens the system browser (shell.openExternal in the app; Playwright in tests). */
  openBrowser: (url: string) => Promise<void>;
  connectDevice: ConnectDevice;
  events: EventBus;
  connection: ConnectionStateStore;
  log: Logger;
  /** Runs beside an open profile (the messaging engine): attached once its device link exists, stopped on close. */
  attach?: (opened: OpenedProfile) => { stop(): void };
  /** The idle lock's time and timers; the system's by default (tests pass a controlled clock's). */
  timers?: SessionTimers;
  /** This workstation's name, signed into the directory entry of a device enrolled here ("WARD3B-PC02"). */
  deviceName?: string;
}

export interface OpenedProfile {
  profile: Profile;
  /** This profile's own folder (its encrypted database, token cache and document cache live inside). */
  dir: string;
  /** A valid IdP access token for the hospital's APIs (hub and document gateway). */
  accessToken: () => Promise<string>;
  store: ProfileStore;
  audit: AuditLog;
  device: LoadedDevice;
  /** This user's key epochs held on this workstation (docs/key-design.md). */
  keyring: UserKeyring;
  link: DeviceLink;
  /** Keys the document cache's file names (derived from the keychain-held store key, never stored). */
  cacheNameKey: Uint8Array;
}

/** What starting a damaged profile over did, audited in the new profile. */
interface StartedOver {
  damage: StoreDamage;
  /** Old devices of this profile the hub revoked first. */
  revoked: string[];
  /** True when only the device keys were damaged: the database was kept and opened. */
  dataKept: boolean;
  /** The folder name (under set-aside/) where the damaged files were kept for IT. */
  setAsideFolder: string | null;
  storeKeySetAside: boolean;
}

/** One profile opened on this workstation: its store, its device, its hub link, its lock. */
interface OpenSession {
  profile: Profile;
  msal: MsalClient;
  homeAccountId: string;
  store: ProfileStore;
  audit: AuditLog;
  cacheNameKey: Uint8Array;
  device: LoadedDevice | null;
  keyring: UserKeyring | null;
  link: DeviceLink | null;
  attached: { stop(): void } | null;
  idle: IdleLock;
  lockNotice: { code: string; message: string } | null;
  linkNotice: { code: string; message: string } | null;
  /** The hub revoked this device without IT's valid signature: locked until a full sign-in (then re-enrolled). */
  withdrawn: Withdrawn | null;
}

export interface Session {
  current(): SessionState;
  signIn(profileId?: string): Promise<SessionState>;
  signOut(): Promise<SessionState>;
  switchUser(): Promise<SessionState>;
  lock(): SessionState;
  unlockWithPin(pin: string): Promise<SessionState>;
  unlockWithSignIn(): Promise<SessionState>;
  setPin(pin: string): Promise<SessionState>;
  setIdleTimeout(minutes: number): SessionState;
  activity(): void;
  reenrol(): Promise<SessionState>;
  /**
   * After `profile_damaged`: a full sign-in of that same user, the old device revoked on the hub (refused if
   * the hub cannot be reached), the damaged files set aside for IT, and a fresh enrolment (audited).
   */
  startProfileOver(profileId: string): Promise<SessionState>;
  /** The open profile's pieces, for the messaging engine; throws unless a profile is open and unlocked. */
  active(): {
    profile: Profile;
    store: ProfileStore;
    audit: AuditLog;
    device: LoadedDevice;
    link: DeviceLink;
  };
  contactDevices(userIds: string[]): Promise<ContactDevice[]>;
  acceptKeyChange(userId: string, deviceId: string): Promise<ContactDevice[]>;
  close(): Promise<void>;
}

const summary = (p: Profile): ProfileSummary => ({
  profileId: p.profileId,
  displayName: p.displayName,
  username: p.username,
});

export function createSession(options: SessionOptions): Session {
  const { keychain, policy, log, events } = options;
  const registry: ProfileRegistry = openProfileRegistry(options.appDataDir);
  let open: OpenSession | null = null;
  let busy: 'signing-in' | 'opening' | 'enrolling' | null = null;
  let signedOutNotice: { code: string; message: string } | null = null;
  /** The profile the last sign-in found damaged: the sign-in screen offers to start it over. */
  let damagedProfile: Profile | null = null;
  // Profiles unused for longer than policy allows are wiped before anyone signs in on this start.
  const expired = expireUnusedProfiles({ registry, keychain }, policy.deviceExpiryDays)
    .then((ids) => {
      if (ids.length > 0) log.info({ profiles: ids.length }, 'unused profiles expired and wiped');
    })
    .catch((error: unknown) => {
      log.warn({ code: error instanceof AppError ? error.code : 'internal' }, 'profile expiry failed');
    });

  const idpSettings = () => {
    if (!policy.idp || !policy.hubUrl) {
      throw new AppError(
        'not_configured',
        'Sign-in is not configured on this workstation. Contact the IT service desk.',
      );
    }
    return { idp: policy.idp, hubUrl: policy.hubUrl };
  };

  function state(): SessionState {
    if (busy) return { status: 'busy', step: busy };
    if (!open) {
      let profiles: ProfileSummary[] = [];
      try {
        profiles = registry.list().map(summary);
      } catch (error) {
        signedOutNotice ??= error instanceof AppError ? { code: error.code, message: error.message } : null;
      }
      return {
        status: 'signed-out',
        profiles,
        notice: signedOutNotice,
        damaged: damagedProfile ? summary(damagedProfile) : null,
      };
    }
    const profile = summary(open.profile);
    if (open.idle.state === 'locked') {
      const pin = pinStatus(open.store);
      const pinUsable = pin.set && !pin.lockedOut && !open.withdrawn;
      return {
        status: 'locked',
        profile,
        pinAvailable: pinUsable,
        attemptsLeft: pinUsable ? Math.max(0, defaultMaxPinAttempts - pin.failedAttempts) : null,
        notice: open.lockNotice,
        withdrawn: open.withdrawn ? { code: 'access_withdrawn', message: accessWithdrawnMessage } : null,
        urgentUnread: urgentUnreadTotal(open.store),
      };
    }
    return {
      status: 'active',
      profile,
      device: { deviceId: open.device!.deviceId, fingerprint: fingerprint(open.device!.signingPublicKey) },
      pinSet: pinStatus(open.store).set,
      idleLockMinutes: open.idle.timeoutMinutes,
      idleLockMaxMinutes: policy.idleLockMaxMinutes,
      notice: open.linkNotice,
    };
  }

  const publish = (): SessionState => {
    const s = state();
    events.emit('session.state', s);
    return s;
  };
  // Behind the lock, a message arriving changes the lock screen's urgent count.
  events.subscribe((name) => {
    if (name === 'messages.changed' && open?.idle.state === 'locked') publish();
  });

  async function during<T>(step: 'signing-in' | 'opening' | 'enrolling', work: () => Promise<T>): Promise<T> {
    busy = step;
    publish();
    try {
      return await work();
    } finally {
      busy = null;
    }
  }

  async function profileMsal(profile: Profile): Promise<MsalClient> {
    const { idp } = idpSettings();
    const key = await tokenCacheKey(keychain, profile.profileId);
    return createMsalClient({
      idp,
      openBrowser: options.openBrowser,
      cachePlugin: encryptedCachePlugin(registry.paths(profile.profileId).msalCacheFile, key, log),
      log,
    });
  }

  /** A first sign-in on this workstation: the profile is created from who signed in, and takes the cache. */
  async function signInNewUser(): Promise<{ profile: Profile; msal: MsalClient; user: SignedInUser }> {
    const { idp } = idpSettings();
    const firstMsal = createMsalClient({ idp, openBrowser: options.openBrowser, log });
    const user = await firstMsal.signInInteractive();
    const profile = registry.ensureProfile({
      userId: user.userId,
      username: user.username,
      displayName: user.displayName,
    });
    const key = await tokenCacheKey(keychain, profile.profileId);
    await writeEncryptedCache(
      registry.paths(profile.profileId).msalCacheFile,
      key,
      firstMsal.serializeCache(),
    );
    return { profile, msal: await profileMsal(profile), user };
  }

  async function signInKnownUser(profile: Profile, msal: MsalClient): Promise<SignedInUser> {
    const user = await msal.signInInteractive({ loginHint: profile.username });
    if (user.userId !== profile.userId) {
      await msal.signOut(user.homeAccountId);
      throw new AppError(
        'sign_in_failed',
        `That sign-in was for ${user.username}, not ${profile.username}. Nothing was changed.`,
      );
    }
    return user;
  }

  /** Database checks started by signIn, for its openStore to wait for (by profile id). */
  const checksAhead = new Map<string, Promise<{ file: string; key: Uint8Array } | null>>();

  /**
   * Starts checking a profile's existing database on a worker thread while the sign-in goes on (the keychain,
   * the sign-in service, the user at the login page): at a million messages the check takes seconds, and
   * openStore then waits only for what is left of it.
   */
  function checkAhead(profile: Profile): void {
    const file = registry.paths(profile.profileId).storeFile;
    const check = (async () => {
      const key = await existingStoreKey(keychain, profile.profileId);
      if (!key || !existsSync(file) || statSync(file).size === 0) return null;
      try {
        await checkStoreAhead(file, key, latestVersion(profileMigrations));
      } catch (error) {
        key.fill(0);
        throw error;
      }
      return { file, key };
    })();
    check.catch(() => undefined); // openStore reports it; a sign-in refused before then has its own error
    checksAhead.set(profile.profileId, check);
  }

  /**
   * Opens this profile's store. A store key is created only for a profile with no database yet; a database
   * without its key, a key without its database (or with an empty one), a wrong key or a damaged file are all
   * `profile_damaged`, and nothing is created, replaced or deleted.
   */
  async function openStore(
    profile: Profile,
  ): Promise<{ store: ProfileStore; audit: AuditLog; cacheNameKey: Uint8Array }> {
    const ahead = checksAhead.get(profile.profileId);
    checksAhead.delete(profile.profileId);
    const file = registry.paths(profile.profileId).storeFile;
    let key = await existingStoreKey(keychain, profile.profileId);
    // A first sign-in cut short after its store key was written but before its database and device keys were
    // (no device was ever enrolled here, so nothing can be lost): it carries on instead of asking to start over.
    const cutShort =
      key !== null &&
      !existsSync(file) &&
      profile.deviceId === undefined &&
      (await keychain.get(deviceKeysAccount(profile.profileId))) === null;
    const existing = key !== null && !cutShort;
    if (!key) {
      if (existsSync(file) && statSync(file).size > 0) throw new ProfileDamagedError('store-key-missing');
      key = await createStoreKey(keychain, profile.profileId);
    }
    let store: ProfileStore;
    try {
      const checked = ahead ? await ahead : null;
      const sameFile = checked !== null && checked.file === file && constantTimeEqual(checked.key, key);
      checked?.key.fill(0);
      store = openProfileStore({ file, key, existing, backgroundCheckpoints: { log }, checked: sameFile });
    } catch (error) {
      if (error instanceof AppError && error.code === 'store_key_wrong')
        throw new ProfileDamagedError('store-key-wrong', { cause: error });
      throw error;
    }
    const cacheNameKey = deriveKey(key, 'document-cache-names');
    return { store, audit: createAuditLog(store), cacheNameKey };
  }

  /**
   * New device keys for this profile (or, with `staged`, the keys already written after the hub registered
   * them), recorded in its store, the registry and the audit trail.
   */
  async function enrolHere(
    profile: Profile,
    store: ProfileStore,
    audit: AuditLog,
    replaces: string | null,
    staged = false,
  ): Promise<LoadedDevice> {
    if (!staged)
      await during('enrolling', () =>
        enrolDevice(keychain, {
          profileId: profile.profileId,
          userId: profile.userId,
          replace: true,
          ...(options.deviceName ? { deviceName: options.deviceName } : {}),
        }),
      );
    const loaded = await loadDevice(keychain, profile.profileId);
    setSetting(store, 'deviceId', loaded.deviceId);
    registry.setDevice(profile.profileId, loaded.deviceId);
    audit.append({ kind: 'device-enrolled', details: { deviceId: loaded.deviceId, replaces } });
    return loaded;
  }

  /**
   * Loads this profile's device keys, enrolling on the first sign-in only (a new store). Keys missing or
   * damaged for an enrolled profile are `profile_damaged`: never a silent re-enrolment (start over instead).
   */
  async function device(profile: Profile, store: ProfileStore, audit: AuditLog): Promise<LoadedDevice> {
    const enrolled = getSetting<string | null>(store, 'deviceId', null);
    if (enrolled === null) return enrolHere(profile, store, audit, null);
    try {
      return await loadDevice(keychain, profile.profileId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'key_missing')
        throw new ProfileDamagedError('device-keys-missing', { cause: error });
      if (error instanceof AppError && error.code === 'key_corrupt')
        throw new ProfileDamagedError('device-keys-corrupt', { cause: error });
      throw error;
    }
  }

  function startLink(session: OpenSession): void {
    if (!session.device || !session.keyring) return;
    const { hubUrl } = idpSettings();
    const link = options.connectDevice({
      hubUrl,
      getAccessToken: () => session.msal.accessToken(session.homeAccountId),
      device: session.device,
      store: session.store,
      audit: session.audit,
      connection: options.connection,
      log,
      newDeviceTrust: policy.newDeviceTrust,
    });
    link.onRevoked((revoked) =>
      afterRevocation(session, revoked).catch((error: unknown) => {
        log.error(
          { code: error instanceof AppError ? error.code : 'internal' },
          'acting on the revocation failed',
        );
      }),
    );
    link.onProblem((problem) => {
      session.linkNotice = problem;
      if (open === session) publish();
    });
    session.link = link;
    // While the hub has withdrawn this device, only the link runs (a signed revocation may still come); the
    // messaging engine would only be refused. It starts again with the new device after a full sign-in.
    session.attached = session.withdrawn
      ? null
      : (options.attach?.({
          profile: session.profile,
          dir: registry.paths(session.profile.profileId).dir,
          accessToken: () => session.msal.accessToken(session.homeAccountId),
          store: session.store,
          audit: session.audit,
          device: session.device,
          keyring: session.keyring,
          link,
          cacheNameKey: session.cacheNameKey,
        }) ?? null);
    link.start();
  }

  /**
   * The hub says this device is revoked. Only a revocation signed by a key the machine policy pins
   * (`adminSigningKeys`) for exactly this user and device wipes the profile; anything else — no signature,
   * another key, another device, no pinned key — locks it, keeps every byte, and is audited.
   */
  async function afterRevocation(session: OpenSession, revoked: OwnDeviceRevoked): Promise<void> {
    const device = session.device;
    if (open !== session || !device || revoked.deviceId !== device.deviceId) return;
    const verdict = await verifyRevocation(
      revoked.revocation,
      { userId: session.profile.userId, deviceId: device.deviceId },
      policy.adminSigningKeys,
    );
    if (open !== session || session.device !== device) return;
    if (verdict.valid) await wipeAfterRevocation(session);
    else withdrawAccess(session, device.deviceId, verdict.reason, revoked.via);
  }

  function withdrawAccess(
    session: OpenSession,
    deviceId: string,
    reason: RevocationRefusal,
    via: OwnDeviceRevoked['via'],
  ): void {
    if (session.withdrawn?.deviceId !== deviceId) {
      log.warn(
        { profileId: session.profile.profileId, reason, via },
        'device revoked by the hub without a valid IT signature; locking this profile, data kept',
      );
      session.withdrawn = { deviceId, reason, at: new Date().toISOString() };
      setSetting(session.store, withdrawnSetting, session.withdrawn);
      session.audit.append({ kind: 'revocation-unsigned', details: { deviceId, reason, via } });
    }
    session.idle.lockNow('access-withdrawn');
    session.attached?.stop();
    session.attached = null;
    publish();
  }

  async function wipeAfterRevocation(session: OpenSession): Promise<void> {
    if (open !== session) return;
    log.warn(
      { profileId: session.profile.profileId },
      'device revoked by IT (signature verified); signing out and wiping this profile',
    );
    session.audit.append({
      kind: 'device-revoked',
      details: { deviceId: session.device?.deviceId ?? null, own: true, signed: true },
    });
    await closeOpen();
    await removeProfile({ registry, keychain }, session.profile.profileId);
    signedOutNotice = {
      code: 'device_revoked',
      message:
        "The hospital's IT removed this computer from your account, so you were signed out and your data on it was erased.",
    };
    publish();
  }

  /**
   * New device keys for this profile (the old ones are replaced in the keychain), registered on the next
   * connect; the profile's database, history and user keys stay. The caller has retired the old device.
   */
  async function enrolAgain(session: OpenSession, staged = false): Promise<void> {
    const oldDeviceId = getSetting<string | null>(session.store, 'deviceId', null);
    const fresh = await enrolHere(session.profile, session.store, session.audit, oldDeviceId, staged);
    session.attached?.stop();
    await session.link?.stop();
    session.device = fresh;
    session.keyring ??= await loadUserKeyring(keychain, session.profile.profileId, session.profile.userId);
    startLink(session);
  }

  /**
   * After a full sign-in on a profile whose access the hub withdrew: the old device is revoked on the hub, so
   * this workstation enrols a new one (the hub has already revoked the old one) and the user carries on with
   * every message kept.
   */
  async function recoverFromWithdrawal(session: OpenSession): Promise<void> {
    const withdrawn = session.withdrawn;
    if (!withdrawn) return;
    // Cleared first, so the new device's link starts with its messaging engine; kept if enrolling fails.
    session.withdrawn = null;
    try {
      await enrolAgain(session);
    } catch (error) {
      session.withdrawn = withdrawn;
      throw error;
    }
    setSetting(session.store, withdrawnSetting, null);
  }

  async function closeOpen(): Promise<void> {
    const session = open;
    open = null;
    if (!session) return;
    session.idle.dispose();
    session.attached?.stop();
    await session.link?.stop();
    session.store.close();
  }

  /**
   * Opens a profile and makes it the workstation's session. Everything that can fail (the store, the device
   * keys, the keyring) is done before the session that was open ends, so a refused sign-in changes nothing.
   */
  async function activate(
    profile: Profile,
    msal: MsalClient,
    homeAccountId: string,
    locked: boolean,
    lockNotice: { code: string; message: string } | null = null,
    startedOver: StartedOver | null = null,
  ): Promise<SessionState> {
    const { store, audit, cacheNameKey } = await openStore(profile);
    let loaded: LoadedDevice;
    let keyring: UserKeyring;
    try {
      loaded = startedOver
        ? await enrolHere(profile, store, audit, getSetting<string | null>(store, 'deviceId', null), true)
        : await device(profile, store, audit);
      keyring = await loadUserKeyring(keychain, profile.profileId, profile.userId);
    } catch (error) {
      store.close();
      throw error;
    }
    await closeOpen();
    const session: OpenSession = {
      profile,
      msal,
      homeAccountId,
      store,
      audit,
      cacheNameKey,
      device: loaded,
      keyring,
      link: null,
      attached: null,
      lockNotice,
      linkNotice: null,
      withdrawn: startedOver ? null : getSetting<Withdrawn | null>(store, withdrawnSetting, null),
      idle: createIdleLock({
        timeoutMinutes: getSetting<number>(store, 'idleLockMinutes', policy.idleLockMinutes),
        maxMinutes: policy.idleLockMaxMinutes,
        initialState: locked ? 'locked' : 'unlocked',
        ...(options.timers ?? {}),
        onLock: (reason) => {
          audit.append({ kind: 'lock', details: { reason } });
          publish();
        },
      }),
    };
    open = session;
    damagedProfile = null;
    registry.touch(profile.profileId);
    if (startedOver) {
      setSetting(store, withdrawnSetting, null);
      audit.append({
        kind: 'profile-started-over',
        details: {
          damage: startedOver.damage,
          revokedDevices: startedOver.revoked.join(',') || null,
          dataKept: startedOver.dataKept,
          setAsideFolder: startedOver.setAsideFolder,
          storeKeySetAside: startedOver.storeKeySetAside,
        },
      });
      for (const deviceId of startedOver.revoked)
        audit.append({ kind: 'device-revoked', details: { deviceId, own: true } });
    }
    if (!locked) {
      resetAfterSignIn(store);
      audit.append({ kind: 'sign-in', details: { deviceId: loaded.deviceId } });
      if (session.withdrawn) {
        await recoverFromWithdrawal(session);
        return publish();
      }
    }
    startLink(session);
    return publish();
  }

  const stageFor = (profile: Profile) =>
    stageDevice({
      profileId: profile.profileId,
      userId: profile.userId,
      ...(options.deviceName ? { deviceName: options.deviceName } : {}),
    });

  /** What is damaged in a profile (null: it opens), and every device id it is known to have enrolled here. */
  async function inspect(profile: Profile): Promise<{ damage: StoreDamage | null; deviceIds: string[] }> {
    const ids = new Set<string>();
    if (profile.deviceId) ids.add(profile.deviceId);
    try {
      const raw = await keychain.get(deviceKeysAccount(profile.profileId));
      const parsed: unknown = raw === null ? null : JSON.parse(raw);
      const id = (parsed as { deviceId?: unknown } | null)?.deviceId;
      if (typeof id === 'string' && id.length > 0 && id.length <= 128) ids.add(id);
    } catch {
      // A damaged entry names no device; the registry or the database may.
    }
    let damage: StoreDamage | null = null;
    let opened: Awaited<ReturnType<typeof openStore>> | null = null;
    try {
      opened = await openStore(profile);
      const enrolled = getSetting<string | null>(opened.store, 'deviceId', null);
      if (enrolled) ids.add(enrolled);
      if (enrolled) await device(profile, opened.store, opened.audit);
    } catch (error) {
      if (!(error instanceof ProfileDamagedError)) throw error;
      damage = error.damage;
    } finally {
      opened?.store.close();
    }
    return { damage, deviceIds: [...ids] };
  }

  /**
   * Starting a damaged profile over. In this order, and nothing local changes until the hub has answered:
   * what is damaged (a profile that opens is refused); a full sign-in of that same user (not the PIN); the old
   * device revoked on the hub with the user's own token (`hub_unreachable` refuses); then the session that was
   * open closes, the damaged folder and store key are set aside for IT (a database that still opens, with
   * only the device keys gone, is kept), and the profile enrols afresh.
   */
  async function startOver(profile: Profile): Promise<SessionState> {
    if (open?.profile.profileId === profile.profileId && open.idle.state !== 'locked')
      throw new AppError('invalid_args', 'This profile is open and working; there is nothing to start over.');
    const { damage, deviceIds } = await inspect(profile);
    if (!damage)
      throw new AppError(
        'invalid_args',
        'This profile opens normally on this computer; there is nothing to start over.',
      );
    const { idp, hubUrl } = idpSettings();
    const fresh = createMsalClient({ idp, openBrowser: options.openBrowser, log });
    const user = await during('signing-in', () => fresh.signInInteractive({ loginHint: profile.username }));
    if (user.userId !== profile.userId) {
      await fresh.signOut(user.homeAccountId);
      throw new AppError(
        'sign_in_failed',
        `That sign-in was for ${user.username}, not ${profile.username}. Nothing was changed.`,
      );
    }
    const staged = await stageFor(profile);
    const revoked = await during('enrolling', () =>
      retireDevices({
        hubUrl,
        getAccessToken: () => fresh.accessToken(user.homeAccountId),
        deviceIds,
        replacement: staged.device,
        log,
      }),
    );
    if (open?.profile.profileId === profile.profileId) await closeOpen();
    const dataKept = damage === 'device-keys-missing' || damage === 'device-keys-corrupt';
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    let setAsideFolder: string | null = null;
    let storeKeySetAside = false;
    if (!dataKept) {
      const folder = registry.setAsideFolder(profile.profileId, stamp);
      setAsideFolder = folder ? `${profile.profileId}-${stamp}` : null;
      storeKeySetAside = (await setAsideStoreKey(keychain, profile.profileId, stamp)) !== null;
    }
    await staged.commit(keychain);
    log.warn(
      { profileId: profile.profileId, damage, revoked: revoked.length, dataKept },
      'damaged profile started over; old device revoked, damaged files set aside',
    );
    const paths = registry.paths(profile.profileId);
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    await writeEncryptedCache(
      paths.msalCacheFile,
      await tokenCacheKey(keychain, profile.profileId),
      fresh.serializeCache(),
    );
    const current = registry.get(profile.profileId) ?? profile;
    return activate(current, await profileMsal(current), user.homeAccountId, false, null, {
      damage,
      revoked,
      dataKept,
      setAsideFolder,
      storeKeySetAside,
    });
  }

  function requireOpen(): OpenSession {
    if (!open) throw new AppError('signed_out', 'Nobody is signed in on this workstation.');
    return open;
  }

  function requireUnlocked(): OpenSession {
    const session = requireOpen();
    if (session.idle.state === 'locked') throw new AppError('locked', 'The screen is locked.');
    return session;
  }

  const api: Session = {
    current: state,

    async signIn(profileId) {
      await expired;
      // A session already open stays exactly as it is until the new one has opened (activate closes it).
      signedOutNotice = null;
      damagedProfile = null;
      try {
        if (!profileId) {
          const { profile, msal, user } = await during('signing-in', signInNewUser);
          return await activate(profile, msal, user.homeAccountId, false);
        }
        const profile = registry.get(profileId);
        if (!profile)
          throw new AppError('profile_not_found', 'That profile is no longer on this workstation.');
        checkAhead(profile);
        const msal = await profileMsal(profile);
        // A cached sign-in resumes without a new login, behind the lock screen: on a shared workstation the
        // person at the keyboard proves who they are with the PIN (or a full sign-in).
        const cached = await during('opening', () => msal.findAccount(profile.userId));
        if (cached) {
          try {
            await msal.accessToken(cached);
            return await activate(profile, msal, cached, true);
          } catch (error) {
            // Offline with an expired sign-in: the data on this computer stays usable behind the PIN, and
            // the hub link keeps trying until the sign-in service is reachable again.
            if (error instanceof AppError && error.code === 'offline_token_expired') {
              return await activate(profile, msal, cached, true, {
                code: error.code,
                message: error.message,
              });
            }
            if (!(error instanceof AppError) || error.code !== 'sign_in_required') throw error;
          }
        }
        const user = await during('signing-in', () => signInKnownUser(profile, msal));
        return await activate(profile, msal, user.homeAccountId, false);
      } catch (error) {
        if (error instanceof AppError) signedOutNotice = { code: error.code, message: error.message };
        if (error instanceof ProfileDamagedError && profileId) damagedProfile = registry.get(profileId);
        publish();
        throw error;
      } finally {
        // A sign-in refused before its store opened waits for the check it started: when it answers, nothing
        // is reading the profile's files any more, and the journal files the check opened are gone again.
        const unused = profileId ? checksAhead.get(profileId) : undefined;
        if (profileId) checksAhead.delete(profileId);
        await unused?.then(
          (checked) => checked?.key.fill(0),
          () => undefined,
        );
      }
    },

    async signOut() {
      const session = requireOpen();
      session.audit.append({ kind: 'sign-out' });
      // The hub link goes first so no token refresh in flight can write the sign-in back afterwards.
      await closeOpen();
      await session.msal.signOut(session.homeAccountId);
      rmSync(registry.paths(session.profile.profileId).msalCacheFile, { force: true });
      signedOutNotice = null;
      return publish();
    },

    async switchUser() {
      requireOpen();
      await closeOpen();
      signedOutNotice = null;
      return publish();
    },

    lock() {
      requireOpen().idle.lockNow();
      return state();
    },

    async unlockWithPin(pin) {
      const session = requireOpen();
      if (session.withdrawn) throw new AppError('access_withdrawn', accessWithdrawnMessage);
      try {
        await unlockWithPin(session.store, pin);
      } catch (error) {
        if (error instanceof PinWrongError) {
          session.lockNotice = { code: 'pin_wrong', message: error.message };
          publish();
        } else if (error instanceof AppError && error.code === 'pin_locked_out') {
          session.lockNotice = { code: error.code, message: error.message };
          publish();
        }
        throw error;
      }
      session.lockNotice = null;
      session.idle.unlock();
      return publish();
    },

    async unlockWithSignIn() {
      const session = requireOpen();
      const user = await during('signing-in', () => signInKnownUser(session.profile, session.msal));
      session.homeAccountId = user.homeAccountId;
      resetAfterSignIn(session.store);
      session.audit.append({ kind: 'unlock', details: { method: 'sign-in' } });
      await recoverFromWithdrawal(session);
      session.lockNotice = null;
      session.idle.unlock();
      return publish();
    },

    async setPin(pin) {
      const session = requireUnlocked();
      await setPin(session.store, pin);
      return publish();
    },

    setIdleTimeout(minutes) {
      const session = requireUnlocked();
      // Choosing the timeout is itself activity: a shorter one counts from now, not from the last keypress.
      session.idle.activity();
      const effective = session.idle.setTimeout(minutes);
      setSetting(session.store, 'idleLockMinutes', effective);
      return publish();
    },

    activity() {
      open?.idle.activity();
    },

    async reenrol() {
      // Never behind the lock, never without a full sign-in, and the old device is revoked on the hub first.
      const session = requireUnlocked();
      const user = await during('signing-in', () => signInKnownUser(session.profile, session.msal));
      session.homeAccountId = user.homeAccountId;
      const old = getSetting<string | null>(session.store, 'deviceId', null);
      const staged = await stageFor(session.profile);
      const revoked = await during('enrolling', () =>
        retireDevices({
          hubUrl: idpSettings().hubUrl,
          getAccessToken: () => session.msal.accessToken(user.homeAccountId),
          deviceIds: old ? [old] : [],
          replacement: staged.device,
          log,
        }),
      );
      for (const deviceId of revoked)
        session.audit.append({ kind: 'device-revoked', details: { deviceId, own: true } });
      await staged.commit(keychain);
      await enrolAgain(session, true);
      return publish();
    },

    async startProfileOver(profileId) {
      await expired;
      const profile = registry.get(profileId);
      if (!profile) throw new AppError('profile_not_found', 'That profile is no longer on this workstation.');
      try {
        return await startOver(profile);
      } catch (error) {
        if (error instanceof AppError && !open)
          signedOutNotice = { code: error.code, message: error.message };
        publish();
        throw error;
      }
    },

    active() {
      const session = requireUnlocked();
      if (!session.device || !session.link)
        throw new AppError('key_missing', 'This computer has no usable device keys.');
      return {
        profile: session.profile,
        store: session.store,
        audit: session.audit,
        device: session.device,
        link: session.link,
      };
    },

    async contactDevices(userIds) {
      const session = requireUnlocked();
      if (!session.link) throw new AppError('key_missing', 'This computer has no usable device keys.');
      return session.link.contactDevices(userIds);
    },

    async acceptKeyChange(userId, deviceId) {
      const session = requireUnlocked();
      if (!session.link) throw new AppError('key_missing', 'This computer has no usable device keys.');
      await session.link.acceptKeyChange(userId, deviceId);
      return session.link.contactDevices([userId]);
    },

    async close() {
      await closeOpen();
    },
  };
  return api;
}
