// The preview's window: Chromium in --app mode on a temporary profile of its own, which also shows the sign-in
// page (the app's "system browser"), so nothing of the sign-in stays in the developer's own browser.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs } from '../../support/chromium';
import { chromiumTrustArg, type TestTls } from '../tls';

/** The Chromium to open the preview in, or why it cannot be opened here (the URL is printed instead). */
export function previewBrowser(env: NodeJS.ProcessEnv): { path: string } | { reason: string } {
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  const path = env.CHROME_PATH ?? '/usr/bin/chromium';
  return existsSync(path) ? { path } : { reason: `no Chromium at ${path} (set CHROME_PATH)` };
}

export interface AppWindow {
  /** Resolves when the window's browser exits (the person closed it). */
  closed: Promise<void>;
  /** Opens a page (the sign-in page) in a new window of the same browser and profile. */
  open(url: string): void;
  close(): void;
}

export function openAppWindow(browser: string, url: string, tls: TestTls): AppWindow {
  const profile = mkdtempSync(join(tmpdir(), 'cm-preview-chromium-'));
  // The same quiet flags as the tests' Chromium, minus headless and the sandbox switch; trusts the stack's CA.
  const quiet = chromiumArgs.filter((arg) => arg !== '--headless' && arg !== '--no-sandbox');
  const args = [`--user-data-dir=${profile}`, chromiumTrustArg(tls), ...quiet];
  const launch = (extra: string[]): ChildProcess => spawn(browser, [...args, ...extra], { stdio: 'ignore' });
  const app = launch([`--app=${url}`, '--window-size=1280,800']);
  const closed = new Promise<void>((resolve) => app.once('exit', () => resolve()));
  void closed.then(() => rmSync(profile, { recursive: true, force: true }));
  return {
    closed,
    // A second launch on the same profile hands the URL to the running browser and exits.
    open: (page) => void launch([page]),
    close: () => void app.kill('SIGTERM'),
  };
}
