import { join } from 'node:path';
import { BrowserWindow } from 'electron';
import { rendererOrigin } from './navigation-policy';

export function createMainWindow(options: {
  preloadPath: string;
  devServerUrl: string | undefined;
  devTools: boolean;
}): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Clinical Messenger',
    webPreferences: {
      preload: options.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: options.devTools,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.devServerUrl ?? `${rendererOrigin}/index.html`);
  return window;
}

export const preloadPath = (mainDir: string): string => join(mainDir, '../preload/index.cjs');
