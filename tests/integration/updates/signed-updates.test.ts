// WARD3B-PC01 checks the hospital's update server (the reference one in tests/stack/updates, over https with
// the test CA) the way a managed workstation does. Only an update signed by a trusted key, newer than what is
// installed and with exactly the installer bytes the manifest signs, reaches the installer; every other case
// is refused with its reason, in Dr Asha Rao's profile audit log, and the installer never sees a file.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLog } from '../../../src/main/core/audit';
import { fromBase64, randomBytes, toBase64 } from '../../../src/main/core/crypto';
import { createLogger } from '../../../src/main/core/log/logger';
import { generateAdminKeyPair } from '../../../src/main/core/revocation';
import {
  createUpdater,
  signManifest,
  type InstallerAdapter,
  type UpdateManifest,
  type UpdateSettings,
} from '../../../src/main/core/updates';
import { testTls } from '../../stack/test-env';
import { manifestOf, publishRelease, startUpdateServer, type RunningUpdateServer } from '../../stack/updates';
import { tempDir, tempStore } from '../../unit/store/helpers';

/** A fake: installing needs Electron, so this only records what it was handed (and the bytes at that moment). */
class RecordingInstallerFake implements InstallerAdapter {
  readonly handed: Array<{ version: string; sha512: string }> = [];
  async install(path: string, manifest: UpdateManifest): Promise<void> {
    this.handed.push({
      version: manifest.version,
      sha512: createHash('sha512').update(readFileSync(path)).digest('base64'),
    });
  }
}

const installedVersion = '1.4.2';
let server: RunningUpdateServer;
let itKey: { publicKey: string; secretKey: Uint8Array };

beforeAll(async () => {
  server = await startUpdateServer({ tls: testTls() });
  const pair = await generateAdminKeyPair();
  itKey = { publicKey: pair.publicKey, secretKey: fromBase64(pair.secretKey, 64)! };
});
afterAll(() => server?.close());

function workstation(channel: string, overrides: Partial<UpdateSettings> = {}) {
  const audit: AuditLog = createAuditLog(tempStore().store);
  const installer = new RecordingInstallerFake();
  const updater = createUpdater({
    settings: {
      updates: 'auto',
      updateUrl: server.url,
      updateChannel: channel,
      updateSigningKeys: [itKey.publicKey],
      ...overrides,
    },
    appVersion: installedVersion,
    downloadDir: tempDir(),
    installer,
    audit: () => audit,
    log: createLogger({ level: 'silent' }),
  });
  const refusals = () =>
    audit
      .list()
      .filter((e) => e.kind === 'update-refused')
      .map((e) => e.details);
  return { updater, installer, audit, refusals };
}

const installerBytes = () => randomBytes(256 * 1024);

describe('an update from the hospital update server', () => {
  it('signed by IT, newer, with the signed installer bytes, is handed to the installer', async () => {
    const bytes = installerBytes();
    await publishRelease(server, { channel: 'valid', version: '1.5.0', installer: bytes }, itKey.secretKey);
    const { updater, installer, audit } = workstation('valid');
    const outcome = await updater.check();
    expect(outcome).toMatchObject({ status: 'installing', manifest: { version: '1.5.0' } });
    expect(installer.handed).toEqual([
      { version: '1.5.0', sha512: createHash('sha512').update(bytes).digest('base64') },
    ]);
    expect(audit.list().map((e) => e.kind)).toEqual(['update-verified']);
  });

  it('under "notify" is reported but not downloaded until asked', async () => {
    const bytes = installerBytes();
    const signed = await publishRelease(
      server,
      { channel: 'notify', version: '1.5.0', installer: bytes },
      itKey.secretKey,
    );
    const { updater, installer } = workstation('notify', { updates: 'notify' });
    expect(await updater.check()).toMatchObject({ status: 'available', manifest: { version: '1.5.0' } });
    expect(server.requests(signed.manifest.installer.fileName)).toBe(0);
    expect(installer.handed).toEqual([]);
    expect(await updater.install()).toMatchObject({ status: 'installing' });
    expect(installer.handed).toHaveLength(1);
  });

  it('under "off" is never even looked for', async () => {
    const { updater } = workstation('off-channel', { updates: 'off' });
    expect(await updater.check()).toEqual({ status: 'off' });
    expect(server.requests('off-channel.json')).toBe(0);
  });

  it('at the installed version is up to date, and nothing is refused', async () => {
    await publishRelease(
      server,
      { channel: 'same', version: installedVersion, installer: installerBytes() },
      itKey.secretKey,
    );
    const { updater, installer, refusals } = workstation('same');
    expect(await updater.check()).toEqual({ status: 'up-to-date', version: installedVersion });
    expect(installer.handed).toEqual([]);
    expect(refusals()).toEqual([]);
  });
});

describe('a refused update', () => {
  async function expectRefused(channel: string, reason: string, version: string | null) {
    const { updater, installer, refusals } = workstation(channel);
    const outcome = await updater.check();
    expect(outcome).toMatchObject({ status: 'refused', reason, version });
    expect(outcome.status === 'refused' && outcome.message).toMatch(
      new RegExp(`^update refused: ${reason} \\(`),
    );
    expect(installer.handed).toEqual([]);
    expect(refusals()).toEqual([{ reason, version }]);
  }

  it('with a tampered manifest (a newer version written over the signed one)', async () => {
    const signed = await publishRelease(
      server,
      { channel: 'tampered', version: '1.5.0', installer: installerBytes() },
      itKey.secretKey,
    );
    server.put(
      'tampered.json',
      JSON.stringify({ ...signed, manifest: { ...signed.manifest, version: '9.0.0' } }),
    );
    await expectRefused('tampered', 'signature-invalid', null);
    expect(server.requests(signed.manifest.installer.fileName)).toBe(0);
  });

  it('with a tampered installer (other bytes behind the signed name)', async () => {
    const signed = await publishRelease(
      server,
      { channel: 'bad-installer', version: '1.5.0', installer: installerBytes() },
      itKey.secretKey,
    );
    server.put(signed.manifest.installer.fileName, installerBytes());
    await expectRefused('bad-installer', 'hash-mismatch', '1.5.0');
  });

  it('with a larger installer than the manifest signs (cut off at the signed size)', async () => {
    const bytes = installerBytes();
    const signed = await publishRelease(
      server,
      { channel: 'bigger', version: '1.5.0', installer: bytes },
      itKey.secretKey,
    );
    server.put(signed.manifest.installer.fileName, Buffer.concat([bytes, Buffer.alloc(1024)]));
    await expectRefused('bigger', 'oversize', '1.5.0');
  });

  it('unsigned', async () => {
    const manifest = manifestOf({ channel: 'unsigned', version: '1.5.0', installer: installerBytes() });
    server.put('unsigned.json', JSON.stringify({ manifest, keyId: itKey.publicKey }));
    await expectRefused('unsigned', 'unsigned', null);
  });

  it('signed with a key neither the build nor the machine policy pins', async () => {
    const stranger = await generateAdminKeyPair();
    await publishRelease(
      server,
      { channel: 'wrong-key', version: '1.5.0', installer: installerBytes() },
      fromBase64(stranger.secretKey, 64)!,
    );
    await expectRefused('wrong-key', 'unknown-key', null);
  });

  it('that is older than the installed version (a downgrade), though properly signed', async () => {
    await publishRelease(
      server,
      { channel: 'downgrade', version: '1.3.9', installer: installerBytes() },
      itKey.secretKey,
    );
    await expectRefused('downgrade', 'downgrade', '1.3.9');
  });

  it('signed for another channel than the policy names', async () => {
    const signed = await signManifest(
      manifestOf({ channel: 'beta', version: '1.5.0', installer: installerBytes() }),
      itKey.secretKey,
    );
    server.put('stable-mix.json', JSON.stringify(signed));
    await expectRefused('stable-mix', 'wrong-channel', '1.5.0');
  });

  it('whose manifest is larger than the app reads', async () => {
    server.put('huge.json', JSON.stringify({ padding: toBase64(randomBytes(128 * 1024)) }));
    await expectRefused('huge', 'oversize', null);
  });
});
