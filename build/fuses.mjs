// Every Electron fuse, set explicitly. Fuses are flipped in the packaged binary itself, so these hold
// whatever the environment or command line of a ward workstation says.
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';

export const fuseSettings = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  [FuseV1Options.WasmTrapHandlers]: true,
};

/** Flips the fuses in a packaged Electron executable; throws if the binary has no fuse wire. */
export function applyFuses(executablePath, { resetAdHocDarwinSignature = false } = {}) {
  return flipFuses(executablePath, {
    version: FuseVersion.V1,
    resetAdHocDarwinSignature,
    strictlyRequireAllFuses: true,
    ...fuseSettings,
  });
}
