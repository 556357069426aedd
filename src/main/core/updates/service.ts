import { join } from 'node:path';
import type { UpdateStatusView } from '../../../shared/contract';
import type { AuditLog } from '../audit';
import type { EventBus } from '../events/event-bus';
import type { HubClient } from '../hub';
import type { Dispatcher } from '../ipc/dispatcher';
import type { Logger } from '../log/logger';
import type { EffectivePolicy } from '../policy';
import { gateHubCalls, gateSendingCalls } from './gated-calls';
import { createMinimumVersionGate } from './minimum-version';
import { createUpdater, type InstallerAdapter, type UpdateOutcome } from './updater';

/** How often a workstation looks for an update (and once shortly after start). */
const checkEveryMs = 4 * 60 * 60 * 1000;
const firstCheckAfterMs = 60 * 1000;

export interface UpdateService {
  status(): UpdateStatusView;
  /** The open profile's audit log receives refusals while it is open. */
  attachProfile(audit: AuditLog): () => void;
  /** The hub client the messaging engine gets: sending refused while below the hub's minimum. */
  gateHub(hub: HubClient): HubClient;
  /** The contract dispatcher, with the sending calls refused while below the hub's minimum. */
  gateDispatcher(dispatcher: Dispatcher): Dispatcher;
  /** Checks the update server now (also runs on a timer under `auto` and `notify`). */
  check(): Promise<UpdateOutcome>;
  stop(): void;
}

/** Without Electron there is nothing to install with: the update is verified, then refused to the caller. */
const noInstaller: InstallerAdapter = {
  install: () => Promise.reject(new Error('no installer in this process')),
};

export function createUpdateService(options: {
  policy: EffectivePolicy;
  appVersion: string;
  appDataDir: string;
  installer?: InstallerAdapter;
  events: EventBus;
  log: Logger;
}): UpdateService {
  const { policy, events } = options;
  const gate = createMinimumVersionGate(options.appVersion);
  let audit: AuditLog | null = null;
  const updater = createUpdater({
    settings: {
      updates: policy.updates,
      updateUrl: policy.updateUrl,
      updateChannel: policy.updateChannel,
      updateSigningKeys: policy.updateSigningKeys,
    },
    appVersion: options.appVersion,
    downloadDir: join(options.appDataDir, 'updates'),
    installer: options.installer ?? noInstaller,
    audit: () => audit,
    log: options.log,
  });
  const changed = () => events.emit('updates.changed', {});
  const unsubscribe = gate.onChange((now) => {
    (now.updateRequired ? options.log.warn : options.log.info).call(
      options.log,
      {
        minimumVersion: now.minimumVersion,
        currentVersion: now.currentVersion,
        required: now.updateRequired,
      },
      'hub minimum client version',
    );
    changed();
  });
  const check = async (): Promise<UpdateOutcome> => {
    const outcome = await updater.check();
    changed();
    return outcome;
  };
  const timers: NodeJS.Timeout[] = [];
  if (policy.updates !== 'off' && policy.updateUrl) {
    const run = () => void check().catch(() => undefined);
    timers.push(setTimeout(run, firstCheckAfterMs).unref(), setInterval(run, checkEveryMs).unref());
  }
  return {
    status() {
      const { currentVersion, minimumVersion, updateRequired } = gate.status();
      const last = updater.last();
      return {
        currentVersion,
        minimumVersion,
        updateRequired,
        mode: policy.updates,
        lastCheck: last
          ? {
              status: last.status,
              version: 'manifest' in last ? last.manifest.version : 'version' in last ? last.version : null,
              message: last.status === 'refused' || last.status === 'failed' ? last.message : null,
            }
          : null,
      };
    },
    attachProfile(profileAudit) {
      audit = profileAudit;
      return () => {
        if (audit === profileAudit) audit = null;
      };
    },
    gateHub(hub) {
      const current = hub.hello();
      if (current) gate.observe(current.minimumClientVersion);
      // Handlers run in the order they were added: this one before the engine's, so a reconnect's Hello is
      // seen before the outbox is flushed (the gated call checks the Hello again anyway).
      hub.onConnected(({ hello }) => gate.observe(hello.minimumClientVersion));
      return gateHubCalls(hub, gate);
    },
    gateDispatcher: (dispatcher) => gateSendingCalls(dispatcher, gate),
    check,
    stop() {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
