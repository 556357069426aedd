import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { constantTimeEqual, fromBase64, randomBytes, toBase64 } from '../crypto';
import type { AuditEventInput } from '../audit';
import type { Logger } from '../log/logger';
import { parseJsonBytes } from '../envelope/wire';
import { downloadTo, fetchBytes, OversizeError, UpdateFetchError } from './fetch';
import {
  MAX_INSTALLER_BYTES,
  MAX_MANIFEST_BYTES,
  verifyManifest,
  type ManifestRefusal,
  type UpdateManifest,
} from './manifest';
import { buildPinnedUpdateKeys } from './pinned-keys';
import { compareVersions } from './version';

export type UpdateMode = 'auto' | 'notify' | 'off';

/** The update settings of the effective policy (the keys come from the machine policy only). */
export interface UpdateSettings {
  updates: UpdateMode;
  updateUrl: string | null;
  updateChannel: string;
  updateSigningKeys: readonly string[];
}

/**
 * Hands a verified installer to the platform's installer. The app's is electron-updater
 * (src/main/shell/update-installer.ts); it is only ever given a file whose sha512 matched the signed manifest.
 */
export interface InstallerAdapter {
  install(installerPath: string, manifest: UpdateManifest): Promise<void>;
}

export type UpdateRefusal =
  | ManifestRefusal
  /** Signed, but for another channel than the policy's `updateChannel`. */
  | 'wrong-channel'
  /** Signed, but older than the running version. */
  | 'downgrade'
  /** The installer's bytes are not the ones the manifest signs (sha512 differs). */
  | 'hash-mismatch'
  /** The installer is not the size the manifest signs. */
  | 'size-mismatch'
  /** The manifest or the installer is larger than the app accepts. */
  | 'oversize';

const refusalText: Record<UpdateRefusal, string> = {
  unsigned: 'the update manifest carries no signature',
  malformed: 'the update manifest is not a valid manifest',
  'unknown-key': 'the update manifest is signed by a key this app does not trust',
  'signature-invalid': 'the update manifest was changed after it was signed',
  'wrong-channel': 'the update manifest is for another channel than the policy names',
  downgrade: 'the update is older than the version installed',
  'hash-mismatch': 'the installer is not the file the manifest signs (sha512 differs)',
  'size-mismatch': 'the installer is not the size the manifest signs',
  oversize: 'the update server sent more than the app accepts',
};

/** What IT sees: "update refused: <reason>" and what it means. */
export function refusalMessage(reason: UpdateRefusal): string {
  return `update refused: ${reason} (${refusalText[reason]})`;
}

export type UpdateOutcome =
  | { status: 'off' }
  | { status: 'not-configured' }
  | { status: 'up-to-date'; version: string }
  /** `notify`: a newer signed update exists; nothing was downloaded. */
  | { status: 'available'; manifest: UpdateManifest }
  /** The installer was verified and handed to the installer. */
  | { status: 'installing'; manifest: UpdateManifest }
  | { status: 'refused'; reason: UpdateRefusal; message: string; version: string | null }
  /** The server could not be read or the installer failed: nothing was refused; the next check tries again. */
  | { status: 'failed'; message: string };

export interface UpdaterOptions {
  settings: UpdateSettings;
  appVersion: string;
  /** Where installers are downloaded (the app's own folder; each download gets a fresh name). */
  downloadDir: string;
  installer: InstallerAdapter;
  /** The open profile's audit log, if one is open; refusals are always logged as well. */
  audit: () => { append(event: AuditEventInput): unknown } | null;
  log: Logger;
  /** The keys pinned at build time; the default is `buildPinnedUpdateKeys`. */
  buildKeys?: readonly string[];
}

export interface Updater {
  /** Reads and verifies the manifest; under `auto`, also downloads, verifies and installs. */
  check(): Promise<UpdateOutcome>;
  /** Downloads, verifies and installs the update `check` found (under `notify`, when the user or IT asks). */
  install(): Promise<UpdateOutcome>;
  /** The outcome of the last check or install, or null before the first. */
  last(): UpdateOutcome | null;
}

/** The manifest of a channel: `<updateUrl>/<channel>.json`. */
export function manifestUrl(updateUrl: string, channel: string): URL {
  const base = updateUrl.endsWith('/') ? updateUrl : `${updateUrl}/`;
  return new URL(`${channel}.json`, base);
}

export function createUpdater(options: UpdaterOptions): Updater {
  const { settings, log } = options;
  const trusted = [...(options.buildKeys ?? buildPinnedUpdateKeys), ...settings.updateSigningKeys];
  let latest: UpdateOutcome | null = null;
  let available: UpdateManifest | null = null;

  const settle = (outcome: UpdateOutcome): UpdateOutcome => {
    latest = outcome;
    return outcome;
  };

  const refuse = (reason: UpdateRefusal, version: string | null): UpdateOutcome => {
    const message = refusalMessage(reason);
    log.warn({ reason, version }, 'update refused');
    options.audit()?.append({ kind: 'update-refused', details: { reason, version } });
    return settle({ status: 'refused', reason, message, version });
  };

  async function readManifest(): Promise<UpdateOutcome | UpdateManifest> {
    const url = manifestUrl(settings.updateUrl!, settings.updateChannel);
    let bytes: Buffer;
    try {
      bytes = await fetchBytes(url, MAX_MANIFEST_BYTES);
    } catch (error) {
      if (error instanceof OversizeError) return refuse('oversize', null);
      return settle({ status: 'failed', message: fetchMessage(error) });
    }
    const verdict = await verifyManifest(parseJsonBytes(bytes) ?? null, trusted);
    if (!verdict.valid) return refuse(verdict.reason, null);
    const { manifest } = verdict;
    if (manifest.channel !== settings.updateChannel) return refuse('wrong-channel', manifest.version);
    const order = compareVersions(manifest.version, options.appVersion);
    // An unparseable running version (a development build) never installs anything.
    if (order === null || order < 0) return refuse('downgrade', manifest.version);
    if (order === 0) return settle({ status: 'up-to-date', version: manifest.version });
    return manifest;
  }

  async function downloadAndInstall(manifest: UpdateManifest): Promise<UpdateOutcome> {
    const url = new URL(
      manifest.installer.fileName,
      manifestUrl(settings.updateUrl!, settings.updateChannel),
    );
    await mkdir(options.downloadDir, { recursive: true, mode: 0o700 });
    const path = join(
      options.downloadDir,
      `${Buffer.from(randomBytes(8)).toString('hex')}-${manifest.installer.fileName}`,
    );
    let received: { size: number; sha512: Uint8Array };
    try {
      received = await downloadTo(url, path, Math.min(manifest.installer.size, MAX_INSTALLER_BYTES));
    } catch (error) {
      if (error instanceof OversizeError) return refuse('oversize', manifest.version);
      return settle({ status: 'failed', message: fetchMessage(error) });
    }
    const expected = fromBase64(manifest.installer.sha512, 64)!;
    if (received.size !== manifest.installer.size || !constantTimeEqual(received.sha512, expected)) {
      await rm(path, { force: true });
      return refuse(
        received.size !== manifest.installer.size ? 'size-mismatch' : 'hash-mismatch',
        manifest.version,
      );
    }
    options.audit()?.append({
      kind: 'update-verified',
      details: { version: manifest.version, sha512: toBase64(received.sha512).slice(0, 16) },
    });
    log.info({ version: manifest.version }, 'update verified; handing it to the installer');
    try {
      await options.installer.install(path, manifest);
    } catch (error) {
      log.warn(
        { version: manifest.version, code: error instanceof Error ? error.name : 'unknown' },
        'install failed',
      );
      return settle({
        status: 'failed',
        message: 'The update was verified but the installer did not start.',
      });
    }
    return settle({ status: 'installing', manifest });
  }

  return {
    async check() {
      if (settings.updates === 'off') return settle({ status: 'off' });
      if (!settings.updateUrl) return settle({ status: 'not-configured' });
      const read = await readManifest();
      if ('status' in read) {
        available = null;
        return read;
      }
      available = read;
      if (settings.updates === 'notify') return settle({ status: 'available', manifest: read });
      return downloadAndInstall(read);
    },
    async install() {
      if (settings.updates === 'off') return settle({ status: 'off' });
      if (!settings.updateUrl) return settle({ status: 'not-configured' });
      const manifest = available ?? (await readManifest());
      if ('status' in manifest) return manifest;
      return downloadAndInstall(manifest);
    },
    last: () => latest,
  };
}

function fetchMessage(error: unknown): string {
  return error instanceof UpdateFetchError ? error.message : 'the update server could not be read';
}
