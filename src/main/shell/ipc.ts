import { ipcMain, type WebContents } from 'electron';
import { callChannel, callNames, eventChannel, fail } from '../../shared/contract';
import type { Core } from '../core';
import { isTrustedRendererUrl } from './navigation-policy';

/** One handler per contract call (a fixed allowlist of channels); each checks the sending frame first. */
export function registerIpc(core: Core, devServerUrl: string | undefined): void {
  for (const name of callNames) {
    ipcMain.handle(callChannel(name), (event, args: unknown) => {
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !isTrustedRendererUrl(frame.url, devServerUrl)) {
        core.log.warn({ call: name }, 'call refused from an untrusted frame');
        return fail('forbidden_sender', 'This page may not call the application.');
      }
      return core.dispatcher.dispatch(name, args);
    });
  }
}

/** Forwards core events to a window for as long as it lives. */
export function forwardEvents(core: Core, contents: WebContents): void {
  const unsubscribe = core.events.subscribe((name, payload) => {
    if (!contents.isDestroyed()) contents.send(eventChannel(name), payload);
  });
  contents.once('destroyed', unsubscribe);
}
