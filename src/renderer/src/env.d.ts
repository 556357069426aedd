/// <reference types="vite/client" />
import type { ClinicalApi } from '../../shared/bridge';

declare global {
  interface Window {
    /** The IPC contract, exposed by the preload (or by the Chromium test harness). Nothing else crosses. */
    readonly clinical: ClinicalApi;
    /** Set by the preview's bridge only (Chromium without Electron, `npm run dev`); never in the app. */
    readonly clinicalPreview?: true;
  }
}
