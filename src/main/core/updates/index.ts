export {
  UpdateManifest,
  manifestBytes,
  manifestDomain,
  signManifest,
  verifyManifest,
  MAX_INSTALLER_BYTES,
  MAX_MANIFEST_BYTES,
  type SignedUpdateManifest,
  type ManifestRefusal,
  type ManifestVerdict,
} from './manifest';
export { compareVersions, parseVersion, ReleaseVersion } from './version';
export { buildPinnedUpdateKeys } from './pinned-keys';
export {
  createUpdater,
  manifestUrl,
  refusalMessage,
  type InstallerAdapter,
  type UpdateMode,
  type UpdateOutcome,
  type UpdateRefusal,
  type UpdateSettings,
  type Updater,
} from './updater';
export {
  createMinimumVersionGate,
  type MinimumVersionGate,
  type MinimumVersionStatus,
} from './minimum-version';
export { gateHubCalls, gateSendingCalls } from './gated-calls';
export { createUpdateService, type UpdateService } from './service';
export { feedMatchesManifest, fileMatchesSha512, type FeedInfo } from './feed';
