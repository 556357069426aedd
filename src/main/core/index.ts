import { createConnectionState, type ConnectionStateStore } from './connection/connection-state';
import { trustOsCaStore } from './connection/os-ca-store';
import { AppError } from './errors';
import { createEventBus, type EventBus } from './events/event-bus';
import { callHandlers } from './handlers';
import { createPatientRule } from './patient/mrn-pattern';
import { createDispatcher, type Dispatcher } from './ipc/dispatcher';
import { createOsKeychain, type Keychain } from './keychain';
import { loadDeviceSecretsForWorker } from './keys';
import { createLogger, type Logger } from './log/logger';
import type { LogFiles } from './log/log-files';
import { buildDiagnostics, saveDiagnostics } from './diagnostics/bundle';
import { recordConnectionHistory } from './diagnostics/connection-history';
import { openProfileRegistry } from './profiles';
import { loadPolicy, summarizePolicy, type LoadedPolicy, type PolicyFiles } from './policy';
import { refuseSignInWhilePolicyRefused } from './policy/gate';
import { availableParallelism, hostname } from 'node:os';
import { createMessagingEngine, type MessagingEngine } from './messaging';
import { createDocumentService, type DocumentService } from './messaging/documents';
import { profileDocumentsDir, wipeDecryptedAtStart } from './documents';
import { createNotifier, type OsNotification } from './notifications';
import { createAvailability, holderAvailability, type AvailabilityService } from './availability';
import { createPreferences, type Preferences } from './preferences';
import { createSession, type ConnectDevice, type Session, type SessionTimers } from './session';
import { createUpdateService, type InstallerAdapter } from './updates';
import {
  createEscalationService,
  systemClock,
  type Clock,
  type EscalationService,
  type ResolveRoleBackup,
} from './escalation';
import { createRoster, createRolesService, type RolesService } from './roles';
import { createBroadcastService, type BroadcastService } from './broadcast';
import { environmentProxy, routeConnections, watchProxy, type SystemProxy } from './network';

export interface CoreOptions {
  appName: string;
  appVersion: string;
  platform: string;
  /** The machine policy (Group Policy key or file, and who must own the file) and the user's settings. */
  policyFiles: PolicyFiles;
  /** The per-user app data folder: profiles live below it. */
  appDataDir: string;
  /** Opens the system browser for sign-in. */
  openBrowser: (url: string) => Promise<void>;
  connectDevice: ConnectDevice;
  /** The OS file dialogs; without them attaching and saving documents is refused. */
  pickFile?: () => Promise<string | null>;
  pickSavePath?: (suggestedName: string) => Promise<string | null>;
  /** Shows an OS notification (Electron's Notification in the app). */
  notify?: (notification: OsNotification) => void;
  keychain?: Keychain;
  log?: Logger;
  /** The files `log` writes to (createFileLogger); their last lines go in the diagnostics bundle. */
  logFiles?: LogFiles;
  /** This workstation's name in key releases ("opened on WARD3B-PC02"); the host name by default. */
  deviceName?: string;
  /** Installs a verified update (the shell's electron-updater adapter); without it updates are only checked. */
  installer?: InstallerAdapter;
  /** The time acknowledgement deadlines run on (docs/escalation.md); the system clock by default. */
  clock?: Clock;
  /**
   * The time the idle lock and the urgent re-notification run on; the system's by default. Tests pass a
   * controlled clock's (tests/support/controlled-clock.ts) so a minute passes without waiting one.
   */
  timers?: SessionTimers;
  /** A role's current backup for escalation; nobody by default (the roster wires it in). */
  resolveRoleBackup?: ResolveRoleBackup;
  /** The OS proxy (Electron's session.resolveProxy), used where the policy names no proxyUrl; else HTTPS_PROXY. */
  systemProxy?: SystemProxy;
  /**
   * Opens catch-up pages on worker threads: `true` every large page, `false` none, `afterEnvelopes` once a
   * catch-up has brought that many. By default, on two cores or more, after LONG_CATCH_UP: on 2 cores the pool
   * measured 0.75x the main thread over 2,000 missed messages (its start-up is most of the difference) and
   * 1.19x over 5,000, as storing stays on the main thread (docs/performance.md).
   */
  parallelOpen?: boolean | { afterEnvelopes: number };
}

/** Everything the app does, in plain Node: the Electron shell and the tests drive the same object. */
export interface Core {
  dispatcher: Dispatcher;
  events: EventBus;
  connection: ConnectionStateStore;
  policy: LoadedPolicy;
  session: Session;
  /** The open profile's messaging engine (null while signed out). */
  messaging(): MessagingEngine | null;
  /** The open profile's documents (null while signed out); the shell's cm-document: protocol reads it. */
  documents(): DocumentService | null;
  /** The open profile's roster and messages to roles (null while signed out; docs/roster.md). */
  roles(): RolesService | null;
  log: Logger;
  close(): Promise<void>;
}

/** Envelopes a catch-up brings before the worker pool takes over its opening, by default. */
export const LONG_CATCH_UP = 5_000;

/** After how many envelopes of a catch-up the pool opens them, or null for never (CoreOptions.parallelOpen). */
function poolAfter(parallelOpen: CoreOptions['parallelOpen']): number | null {
  if (typeof parallelOpen === 'object') return parallelOpen.afterEnvelopes;
  if (parallelOpen !== undefined) return parallelOpen ? 0 : null;
  return availableParallelism() >= 2 ? LONG_CATCH_UP : null;
}

export function createCore(options: CoreOptions): Core {
  const log = options.log ?? createLogger();
  const parallelOpenAfter = poolAfter(options.parallelOpen);
  // Before anything connects: the hospital's private CA is trusted from the OS store (docs/it-guide.md).
  trustOsCaStore(log);
  const policy = loadPolicy(options.policyFiles);
  for (const problem of policy.problems) {
    log.warn({ file: problem.file, field: problem.field, reason: problem.message }, 'policy file ignored');
  }
  // Every connection the core opens (hub, IdP, gateway, key service, updates) goes this way.
  routeConnections({
    proxyUrl: policy.policy.proxyUrl,
    proxyBypass: policy.policy.proxyBypass,
    system: options.systemProxy ?? environmentProxy(process.env),
  });
  const events = createEventBus();
  const connection = createConnectionState(events);
  // Signed updates and the hub's minimum version (docs/updates.md).
  const updates = createUpdateService({
    policy: policy.policy,
    appVersion: options.appVersion,
    appDataDir: options.appDataDir,
    events,
    log,
    ...(options.installer ? { installer: options.installer } : {}),
  });
  const connectionHistory = recordConnectionHistory(events);
  const unwatchProxy = watchProxy((failure) => connection.setProblem(failure ? 'proxy' : null));
  // Decrypted documents a crash left behind are removed before any profile opens.
  wipeDecryptedAtStart(options.appDataDir);
  let messaging: MessagingEngine | null = null;
  let documents: DocumentService | null = null;
  let preferences: Preferences | null = null;
  let escalations: EscalationService | null = null;
  let roles: RolesService | null = null;
  let availability: AvailabilityService | null = null;
  let broadcasts: BroadcastService | null = null;
  const noDialog = (): Promise<string | null> => {
    throw new AppError('not_configured', 'This window cannot open file dialogs.');
  };
  const keychain = options.keychain ?? createOsKeychain();
  const session = createSession({
    appDataDir: options.appDataDir,
    keychain,
    policy: policy.policy,
    openBrowser: options.openBrowser,
    connectDevice: options.connectDevice,
    deviceName: options.deviceName ?? hostname(),
    events,
    connection,
    log,
    timers: options.timers,
    attach: (opened) => {
      const engine = createMessagingEngine({
        store: opened.store,
        audit: opened.audit,
        device: opened.device,
        keyring: opened.keyring,
        accessToken: opened.accessToken,
        ...(options.deviceName ? { deviceName: options.deviceName } : {}),
        hub: updates.gateHub(opened.link.hub),
        trust: opened.link.trust,
        policy: policy.policy,
        connection,
        events,
        log,
        ...(parallelOpenAfter === null
          ? {}
          : {
              parallelOpen: {
                workerSecrets: () => loadDeviceSecretsForWorker(keychain, opened.profile.profileId),
                afterEnvelopes: parallelOpenAfter,
              },
            }),
      });
      const detachUpdates = updates.attachProfile(opened.audit);
      engine.start();
      const service = createDocumentService({
        engine,
        policy: policy.policy,
        audit: opened.audit,
        accessToken: opened.accessToken,
        cache: { dir: profileDocumentsDir(opened.dir), nameKey: opened.cacheNameKey },
        pickFile: options.pickFile ?? noDialog,
        pickSavePath: options.pickSavePath ?? noDialog,
        events,
        log,
        requireUnlocked: () => void session.active(),
      });
      // Statuses and Do not disturb (docs/hub-protocol.md, SetAvailability): held routine notifications.
      const statuses = createAvailability({
        hub: opened.link.hub,
        store: opened.store,
        selfUserId: opened.device.userId,
        events,
        log,
        fetchPresence: (userIds) => engine.presence(userIds),
      });
      const chosen = createPreferences(opened.store, policy.policy);
      const notify = options.notify;
      const notifier = notify
        ? createNotifier({
            privacy: chosen.notificationPrivacy,
            renotifyMs: policy.policy.urgentRenotifyMinutes * 60_000,
            show: (n) => {
              if (n.urgent || chosen.notifyFor() === 'all') notify(n);
            },
            senderName: engine.nameOf,
            isRead: (conversationId) => engine.messages.unreadCount(conversationId) === 0,
            holdRoutine: statuses.doNotDisturb,
            ...(options.timers
              ? { setTimer: options.timers.setTimer, clearTimer: options.timers.clearTimer }
              : {}),
          })
        : null;
      if (notifier) engine.onReceived((batch) => notifier.received(batch));
      if (notifier) statuses.onDoNotDisturbEnded(() => notifier.releaseHeld());
      statuses.start();
      // The roster: every entry verified against IT's pinned keys (docs/roster.md). A holder in theatre, off
      // shift or on Do not disturb is not offered a message (holderAvailability).
      const roster = createRoster({
        hub: opened.link.hub,
        store: opened.store,
        audit: opened.audit,
        pinnedKeys: policy.policy.adminSigningKeys,
        log,
      });
      const stopRoster = roster.start(() => events.emit('roles.changed', {}));
      const escalation = createEscalationService({
        store: opened.store,
        engine,
        hub: opened.link.hub,
        policy: policy.policy,
        clock: options.clock ?? systemClock,
        events,
        log,
        userId: opened.device.userId,
        // The roles service is made next (it sends through this one); escalation starts after both exist.
        resolveRoleBackup: options.resolveRoleBackup ?? ((roleId) => roleService.resolveRoleBackup(roleId)),
        alertSender: ({ conversationId, reason }) =>
          options.notify?.({
            conversationId,
            title: 'No acknowledgement',
            body:
              reason === 'no-target'
                ? 'Your urgent message was not acknowledged in time, and there is nobody to escalate it to.'
                : 'Your urgent message was not acknowledged in time; it was escalated.',
            urgent: true,
          }),
      });
      const roleService = createRolesService({
        roster,
        engine,
        escalation,
        hub: opened.link.hub,
        userId: opened.device.userId,
        log,
        availability: holderAvailability(statuses),
      });
      escalation.start();
      const announcements = createBroadcastService({
        engine,
        hub: opened.link.hub,
        events,
        userId: opened.device.userId,
        log,
        escalation,
        resolveRole: (roleId) => roleService.resolve(roleId),
      });
      broadcasts = announcements;
      messaging = engine;
      documents = service;
      preferences = chosen;
      escalations = escalation;
      roles = roleService;
      availability = statuses;
      return {
        stop() {
          stopRoster();
          if (roles === roleService) roles = null;
          statuses.dispose();
          if (availability === statuses) availability = null;
          notifier?.dispose();
          detachUpdates();
          escalation.stop();
          engine.stop();
          service.dispose();
          if (messaging === engine) messaging = null;
          if (documents === service) documents = null;
          if (preferences === chosen) preferences = null;
          if (escalations === escalation) escalations = null;
          announcements.stop();
          if (broadcasts === announcements) broadcasts = null;
        },
      };
    },
  });
  // A machine policy that is present but unusable stops every sign-in (policy_invalid), naming the fix.
  refuseSignInWhilePolicyRefused(session, policy);
  const requireMessaging = (): MessagingEngine => {
    session.active(); // refuses while signed out or locked
    if (!messaging) throw new AppError('signed_out', 'Messaging is not available until you are signed in.');
    return messaging;
  };
  const requireDocuments = (): DocumentService => {
    requireMessaging();
    return documents!;
  };
  const appInfo = () => ({
    name: options.appName,
    version: options.appVersion,
    platform: options.platform,
    policy: summarizePolicy(policy),
  });
  const diagnostics = async (save: boolean) => {
    const text = buildDiagnostics({
      app: { name: options.appName, version: options.appVersion },
      platform: options.platform,
      workstation: options.deviceName ?? hostname(),
      policy: () => summarizePolicy(policy),
      connection: () => ({ current: connection.current(), history: connectionHistory.recent() }),
      profileCount: () => {
        try {
          return openProfileRegistry(options.appDataDir).list().length;
        } catch {
          return null;
        }
      },
      logFiles: options.logFiles ?? null,
    });
    return { text, saved: save ? await saveDiagnostics(text, options.pickSavePath ?? noDialog) : false };
  };
  const dispatcher = createDispatcher(
    callHandlers({
      updates,
      patients: createPatientRule(policy.policy.mrnPattern),
      appInfo,
      diagnostics,
      connection,
      session,
      messaging: requireMessaging,
      documents: requireDocuments,
      preferences: () => {
        requireMessaging();
        return preferences!;
      },
      escalations: () => {
        requireMessaging();
        return escalations!;
      },
      roles: () => {
        requireMessaging();
        return roles!;
      },
      availability: () => {
        requireMessaging();
        return availability!;
      },
      broadcasts: () => {
        requireMessaging();
        return broadcasts!;
      },
    }),
    log,
  );
  return {
    // Below the hub's minimum version, the sending calls are refused with update_required.
    dispatcher: updates.gateDispatcher(dispatcher),
    events,
    connection,
    policy,
    session,
    messaging: () => messaging,
    documents: () => documents,
    roles: () => roles,
    log,
    close: async () => {
      updates.stop();
      connectionHistory.dispose();
      unwatchProxy();
      await session.close();
    },
  };
}
