import { app, session, shell, type WebContents } from 'electron';
import { isAllowedExternalUrl } from './navigation-policy';

/**
 * Applies to every web contents the app ever creates: no navigation away, no new windows (allowlisted
 * https links go to the system browser), no webviews, and every permission request denied.
 */
export function hardenAllWebContents(externalLinkAllowlist: readonly string[]): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalUrl(url, externalLinkAllowlist)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
