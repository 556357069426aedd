import { writeFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { basename } from 'node:path';
import type { ConnectionState, PolicySummary } from '../../../shared/contract';
import { AppError } from '../errors';
import type { LogFiles } from '../log/log-files';
import type { ConnectionChange } from './connection-history';

export const diagnosticsFormat = 'clinical-messenger-diagnostics/1';
const logLineCount = 200;
const logLineMaxChars = 2_000;

export interface DiagnosticsSources {
  app: { name: string; version: string };
  platform: string;
  /** This workstation's name, as shown in key releases. */
  workstation: string;
  policy: () => PolicySummary;
  connection: () => { current: ConnectionState; history: ConnectionChange[] };
  /** How many profiles this OS account holds (null when the list cannot be read). */
  profileCount: () => number | null;
  logFiles: LogFiles | null;
  now?: () => Date;
}

/**
 * What IT needs to look at a workstation without asking the user: versions, the effective policy, how the hub
 * connection has behaved, and the last log lines. Names of people and patients are never in it: profiles are
 * counted, the log lines hold identifiers and codes only, and file paths are reduced to file names.
 */
export function buildDiagnostics(sources: DiagnosticsSources): string {
  const now = (sources.now ?? (() => new Date()))();
  const files = sources.logFiles?.list() ?? [];
  const bundle = {
    format: diagnosticsFormat,
    createdAt: now.toISOString(),
    app: sources.app,
    runtime: {
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
      v8: process.versions.v8,
    },
    platform: { os: sources.platform, release: release(), arch: arch(), workstation: sources.workstation },
    policy: sources.policy(),
    connection: sources.connection(),
    profiles: { count: sources.profileCount() },
    logs: sources.logFiles
      ? {
          files: files.map((file) => basename(file)),
          lastLines: sources.logFiles
            .lastLines(logLineCount)
            .map((line) => (line.length > logLineMaxChars ? `${line.slice(0, logLineMaxChars)}…` : line)),
        }
      : { files: [], lastLines: [], note: 'This process writes its log to the console only.' },
  };
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

export function diagnosticsFileName(now: Date): string {
  return `clinical-messenger-diagnostics-${now.toISOString().slice(0, 19).replace(/[:T]/g, '-')}.json`;
}

/** Asks where to save the bundle and writes it there; false when the user closed the dialog. */
export async function saveDiagnostics(
  text: string,
  pickSavePath: (suggestedName: string) => Promise<string | null>,
  now: Date = new Date(),
): Promise<boolean> {
  const target = await pickSavePath(diagnosticsFileName(now));
  if (target === null) return false;
  try {
    writeFileSync(target, text, { mode: 0o600 });
  } catch (error) {
    throw new AppError(
      'internal',
      'The diagnostics bundle could not be saved there. Choose a folder you can write to.',
      { cause: error },
    );
  }
  return true;
}
