import electronUpdater from 'electron-updater';
import type { Logger } from '../core/log/logger';
import {
  feedMatchesManifest,
  fileMatchesSha512,
  type InstallerAdapter,
  type UpdateManifest,
} from '../core/updates';

/**
 * The install step (docs/updates.md): electron-updater with a generic provider on the hospital's update
 * server. The core hands this only an update whose signed manifest and installer sha512 it verified; this
 * adapter then makes electron-updater install exactly those bytes: its feed must name the signed version,
 * file, size and sha512, and its own download is hashed again against the signed sha512 before it installs.
 */
export function createElectronInstaller(
  settings: () => { updateUrl: string | null; updateChannel: string },
  log: Logger,
): InstallerAdapter {
  return {
    async install(verifiedPath: string, manifest: UpdateManifest): Promise<void> {
      const { updateUrl, updateChannel } = settings();
      if (!updateUrl) throw new Error('no update server in the machine policy');
      const { autoUpdater } = electronUpdater;
      autoUpdater.autoDownload = false;
      autoUpdater.autoInstallOnAppQuit = false;
      autoUpdater.allowDowngrade = false;
      autoUpdater.allowPrerelease = false;
      autoUpdater.setFeedURL({ provider: 'generic', url: updateUrl, channel: updateChannel });
      const found = await autoUpdater.checkForUpdates();
      if (!found || !feedMatchesManifest(found.updateInfo, manifest)) {
        throw new Error('the update feed does not name the signed release');
      }
      const [downloaded] = await autoUpdater.downloadUpdate();
      if (!downloaded || !(await fileMatchesSha512(downloaded, manifest.installer.sha512))) {
        throw new Error('the downloaded installer is not the signed one');
      }
      log.info(
        { version: manifest.version, verified: verifiedPath.length > 0 },
        'installing the signed update',
      );
      autoUpdater.quitAndInstall(true, true);
    },
  };
}
