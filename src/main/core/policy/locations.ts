import { posix, win32 } from 'node:path';

/** Where an IT team pushes the machine-wide policy on each platform (read-only for staff accounts). */
export function machinePolicyPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  switch (platform) {
    case 'win32':
      return win32.join(env.ProgramData ?? 'C:\\ProgramData', 'ClinicalMessenger', 'policy.json');
    case 'darwin':
      return '/Library/Application Support/ClinicalMessenger/policy.json';
    default:
      return '/etc/clinical-messenger/policy.json';
  }
}

/** The user's own settings, inside the app's per-user data folder. */
export const userSettingsPath = (userDataDir: string): string => posix.join(userDataDir, 'settings.json');
