/// <reference types="vite/client" />
import type { ClinicalApi } from '../../shared/bridge';

declare global {
  interface Window {
    /** The IPC contract, exposed by the preload (or by the Chromium test harness). Nothing else crosses. */
    readonly clinical: ClinicalApi;
  }
}
