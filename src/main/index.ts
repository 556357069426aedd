import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, Notification, session, shell } from 'electron';
import { createCore } from './core';
import { respondToDocumentRequest } from './core/documents/protocol';
import { openAppLog } from './core/log/log-files';
import { connectDeviceToHub } from './core/session';
import { machinePolicy, userSettingsPath } from './core/policy';
import { registerAppScheme, serveRenderer, serveVerifiedDocuments } from './shell/app-protocol';
import { hardenAllWebContents } from './shell/hardening';
import { createElectronInstaller } from './shell/update-installer';
import { forwardEvents, registerIpc } from './shell/ipc';
import { createMainWindow, preloadPath } from './shell/window';

const mainDir = dirname(fileURLToPath(import.meta.url));
// electron-vite sets this in development only; a packaged app always loads its own files.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

app.enableSandbox();
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(async () => {
    // <userData>/logs: rotating files kept in a packaged app; development runs also print to the console.
    const { log, files: logFiles } = await openAppLog({
      appDataDir: app.getPath('userData'),
      stdout: !app.isPackaged,
    });
    const core = createCore({
      log,
      ...(logFiles ? { logFiles } : {}),
      appName: app.getName(),
      appVersion: app.getVersion(),
      // Only updates whose signed manifest and installer hash the core verified reach electron-updater.
      installer: createElectronInstaller(() => core.policy.policy, log),
      platform: process.platform,
      appDataDir: app.getPath('userData'),
      openBrowser: (url) => shell.openExternal(url),
      connectDevice: connectDeviceToHub,
      // The OS proxy (settings, PAC, WPAD) as Chromium resolves it; the policy's proxyUrl wins over it.
      systemProxy: (url) => session.defaultSession.resolveProxy(url),
      // Only what the notification policy allows reaches the OS (sender and "new secure message" by default).
      // Clicking it brings the window forward on that conversation (behind the lock screen, if locked).
      notify: (n) => {
        const shown = new Notification({
          title: n.title,
          body: n.body,
          urgency: n.urgent ? 'critical' : 'normal',
        });
        shown.on('click', () => {
          if (window.isMinimized()) window.restore();
          window.show();
          window.focus();
          core.events.emit('conversations.open', { conversationId: n.conversationId });
        });
        shown.show();
      },
      pickFile: async () => {
        const picked = await dialog.showOpenDialog({
          properties: ['openFile'],
          filters: [{ name: 'Documents and images', extensions: ['pdf', 'png', 'jpg', 'jpeg'] }],
        });
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      },
      pickSavePath: async (suggestedName) => {
        const picked = await dialog.showSaveDialog({ defaultPath: suggestedName });
        return picked.canceled ? null : (picked.filePath ?? null);
      },
      policyFiles: {
        // Windows: the Group Policy key, else %ProgramData%; Linux and macOS: a root-owned file. Development
        // runs point at the local reference servers with their own policy file.
        ...(await machinePolicy({
          platform: process.platform,
          env: process.env,
          devOverride: app.isPackaged ? null : process.env.CLINICAL_MESSENGER_POLICY,
        })),
        user: userSettingsPath(app.getPath('userData')),
      },
    });
    hardenAllWebContents(core.policy.policy.externalLinkAllowlist);
    serveRenderer(join(mainDir, '../renderer'));
    serveVerifiedDocuments((url) => respondToDocumentRequest(core.documents(), url));
    registerIpc(core, devServerUrl);
    const window = createMainWindow({
      preloadPath: preloadPath(mainDir),
      devServerUrl,
      devTools: !app.isPackaged,
    });
    forwardEvents(core, window.webContents);
  });
  app.on('window-all-closed', () => app.quit());
}
