import { rmSync } from 'node:fs';
import type { ContactDevice, ProfileSummary, SessionState } from '../../../shared/contract';
import { createAuditLog, type AuditLog } from '../audit';
import type { ConnectionStateStore } from '../connection/connection-state';
import { deriveKey } from '../crypto';
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
import { enrolDevice, fingerprint, loadDevice, type LoadedDevice } from '../keys';
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
import { getSetting, openProfileStore, profileStoreKey, setSetting, type ProfileStore } from '../store';
import type { ConnectDevice, DeviceLink } from './device-link';

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
  timers?: { setTimer: (fn: () => void, ms: number) => unknown; clearTimer: (handle: unknown) => void };
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
  let deviceProblem: { code: string; message: string } | null = null;
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
      return { status: 'signed-out', profiles, notice: signedOutNotice };
    }
    const profile = summary(open.profile);
    if (deviceProblem) return { status: 'needs-reenrol', profile, problem: deviceProblem };
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

  async function openStore(
    profile: Profile,
  ): Promise<{ store: ProfileStore; audit: AuditLog; cacheNameKey: Uint8Array }> {
    const key = await profileStoreKey(keychain, profile.profileId);
    const cacheNameKey = deriveKey(key, 'document-cache-names');
    const store = openProfileStore({ file: registry.paths(profile.profileId).storeFile, key });
    return { store, audit: createAuditLog(store), cacheNameKey };
  }

  /** Loads this profile's device keys, enrolling on the first sign-in; a damaged entry is reported. */
  async function device(
    profile: Profile,
    store: ProfileStore,
    audit: AuditLog,
  ): Promise<LoadedDevice | null> {
    const enrolled = getSetting<string | null>(store, 'deviceId', null);
    if (enrolled === null) {
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
      audit.append({ kind: 'device-enrolled', details: { deviceId: loaded.deviceId } });
      return loaded;
    }
    try {
      deviceProblem = null;
      return await loadDevice(keychain, profile.profileId);
    } catch (error) {
      if (error instanceof AppError && (error.code === 'key_missing' || error.code === 'key_corrupt')) {
        deviceProblem = {
          code: error.code,
          message: `${error.message} You can set up this computer again: new keys are made and the old ones are retired.`,
        };
        return null;
      }
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
   * connect; the profile's database, history and user keys stay. `retire` revokes the old device on the hub.
   */
  async function enrolAgain(session: OpenSession, retire: boolean): Promise<void> {
    const oldDeviceId = getSetting<string | null>(session.store, 'deviceId', null);
    await during('enrolling', () =>
      enrolDevice(keychain, {
        profileId: session.profile.profileId,
        userId: session.profile.userId,
        replace: true,
        ...(options.deviceName ? { deviceName: options.deviceName } : {}),
      }),
    );
    const fresh = await loadDevice(keychain, session.profile.profileId);
    setSetting(session.store, 'deviceId', fresh.deviceId);
    session.audit.append({
      kind: 'device-enrolled',
      details: { deviceId: fresh.deviceId, replaces: oldDeviceId },
    });
    session.attached?.stop();
    await session.link?.stop();
    session.device = fresh;
    session.keyring ??= await loadUserKeyring(keychain, session.profile.profileId, session.profile.userId);
    deviceProblem = null;
    startLink(session);
    if (retire && oldDeviceId && oldDeviceId !== fresh.deviceId) {
      await session.link!.revokeDevice(oldDeviceId);
      session.audit.append({ kind: 'device-revoked', details: { deviceId: oldDeviceId, own: true } });
    }
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
      await enrolAgain(session, false);
    } catch (error) {
      session.withdrawn = withdrawn;
      throw error;
    }
    setSetting(session.store, withdrawnSetting, null);
  }

  async function closeOpen(): Promise<void> {
    const session = open;
    open = null;
    deviceProblem = null;
    if (!session) return;
    session.idle.dispose();
    session.attached?.stop();
    await session.link?.stop();
    session.store.close();
  }

  async function activate(
    profile: Profile,
    msal: MsalClient,
    homeAccountId: string,
    locked: boolean,
    lockNotice: { code: string; message: string } | null = null,
  ): Promise<SessionState> {
    const { store, audit, cacheNameKey } = await openStore(profile);
    const session: OpenSession = {
      profile,
      msal,
      homeAccountId,
      store,
      audit,
      cacheNameKey,
      device: null,
      keyring: null,
      link: null,
      attached: null,
      lockNotice,
      linkNotice: null,
      withdrawn: getSetting<Withdrawn | null>(store, withdrawnSetting, null),
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
    try {
      session.device = await device(profile, store, audit);
      if (session.device)
        session.keyring = await loadUserKeyring(keychain, profile.profileId, profile.userId);
    } catch (error) {
      await closeOpen();
      throw error;
    }
    registry.touch(profile.profileId);
    if (!locked) {
      resetAfterSignIn(store);
      audit.append({ kind: 'sign-in', details: { deviceId: session.device?.deviceId ?? null } });
      if (session.withdrawn && session.device) {
        await recoverFromWithdrawal(session);
        return publish();
      }
    }
    startLink(session);
    return publish();
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
      if (open) await closeOpen();
      signedOutNotice = null;
      try {
        if (!profileId) {
          const { profile, msal, user } = await during('signing-in', signInNewUser);
          return await activate(profile, msal, user.homeAccountId, false);
        }
        const profile = registry.get(profileId);
        if (!profile)
          throw new AppError('profile_not_found', 'That profile is no longer on this workstation.');
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
        publish();
        throw error;
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
      const session = requireOpen();
      await enrolAgain(session, true);
      return publish();
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
