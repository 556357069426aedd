import { contextBridge, ipcRenderer } from 'electron';
import { createClinicalApi } from '../shared/bridge';
import { bridgeChannels } from '../shared/contract/names';

contextBridge.exposeInMainWorld(
  'clinical',
  createClinicalApi(
    {
      invoke: (channel, args) => ipcRenderer.invoke(channel, args),
      subscribe: (channel, listener) => {
        const handler = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
        ipcRenderer.on(channel, handler);
        return () => ipcRenderer.removeListener(channel, handler);
      },
    },
    bridgeChannels,
  ),
);
