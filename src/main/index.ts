import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, Notification, shell } from 'electron';
import { createCore } from './core';
import { respondToDocumentRequest } from './core/documents/protocol';
import { connectDeviceToHub } from './core/session';
import { machinePolicyPath, userSettingsPath } from './core/policy';
import { registerAppScheme, serveRenderer, serveVerifiedDocuments } from './shell/app-protocol';
import { hardenAllWebContents } from './shell/hardening';
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
  void app.whenReady().then(() => {
    const core = createCore({
      appName: app.getName(),
      appVersion: app.getVersion(),
      platform: process.platform,
      appDataDir: app.getPath('userData'),
      openBrowser: (url) => shell.openExternal(url),
      connectDevice: connectDeviceToHub,
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
        // Development runs point at the local reference servers with their own policy file.
        machine:
          (!app.isPackaged && process.env.CLINICAL_MESSENGER_POLICY) ||
          machinePolicyPath(process.platform, process.env),
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
