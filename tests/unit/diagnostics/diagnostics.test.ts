// IT at WARD3B-PC01, where nobody can sign in this morning: Help → About → "Save diagnostics bundle" gives
// versions, the policy in force, how the hub connection behaved and the last log lines, with no names in it.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosticsFormat } from '../../../src/main/core/diagnostics/bundle';
import { createFileLogger } from '../../../src/main/core/log/log-files';
import { openProfileRegistry } from '../../../src/main/core/profiles';
import { coreForTest } from '../../support/core';

async function workstation(pickSavePath?: (name: string) => Promise<string | null>) {
  const appDataDir = mkdtempSync(join(tmpdir(), 'cm-diagnostics-'));
  const { log, files } = await createFileLogger({ appDataDir, level: 'info' });
  const core = coreForTest({
    appDataDir,
    appVersion: '1.4.2',
    deviceName: 'WARD3B-PC01',
    log,
    logFiles: files,
    ...(pickSavePath ? { pickSavePath } : {}),
  });
  return { core, appDataDir, files };
}

type Bundle = {
  format: string;
  app: { version: string };
  runtime: { node: string };
  platform: { workstation: string };
  policy: { hubUrl: string | null; complianceCopy: boolean };
  connection: { current: { state: string }; history: { state: string; at: string }[] };
  profiles: { count: number | null };
  logs: { files: string[]; lastLines: string[] };
};

describe('the diagnostics bundle', () => {
  it('holds versions, the policy summary, the connection history, a profile count and the last log lines', async () => {
    const { core, appDataDir, files } = await workstation();
    const registry = openProfileRegistry(appDataDir);
    registry.ensureProfile({ userId: 'u-asha', username: 'dr.asha.rao', displayName: 'Dr Asha Rao' });
    registry.ensureProfile({
      userId: 'u-sam',
      username: 'dr.samuel.okafor',
      displayName: 'Dr Samuel Okafor',
    });
    for (const state of ['connecting', 'connected', 'reconnecting', 'connected'] as const) {
      core.connection.set(state);
    }
    core.connection.set('connected', 3); // only the queue changed: not a connection change
    core.log.warn({ code: 'hub_unreachable' }, 'hub connect failed; retrying');

    const result = await core.dispatcher.dispatch('app.diagnostics', { save: false });
    expect(result).toMatchObject({ ok: true, value: { saved: false } });
    if (!result.ok) return;
    const { text } = result.value as { text: string };
    const bundle = JSON.parse(text) as Bundle;
    expect(bundle).toMatchObject({
      format: diagnosticsFormat,
      app: { version: '1.4.2' },
      runtime: { node: process.versions.node },
      platform: { workstation: 'WARD3B-PC01' },
      policy: { hubUrl: null, complianceCopy: false },
      connection: { current: { state: 'connected' } },
      profiles: { count: 2 },
    });
    expect(bundle.connection.history.map((c) => c.state)).toEqual([
      'connecting',
      'connected',
      'reconnecting',
      'connected',
    ]);
    expect(bundle.logs.files).toHaveLength(1);
    expect(bundle.logs.lastLines.at(-1)).toContain('hub connect failed; retrying');
    // Profiles are counted, never named; no path names this OS account's home folder.
    for (const name of ['Asha', 'Okafor', 'dr.asha.rao', appDataDir]) expect(text).not.toContain(name);
    await core.close();
    await files.close();
  });

  it('is saved where IT chooses, readable by this user only; closing the dialog saves nothing', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'cm-diagnostics-save-')), 'pc01.json');
    let suggested = '';
    const { core, files } = await workstation(async (name) => {
      suggested = name;
      return target;
    });
    const saved = await core.dispatcher.dispatch('app.diagnostics', { save: true });
    expect(saved).toMatchObject({ ok: true, value: { saved: true } });
    expect(suggested).toMatch(/^clinical-messenger-diagnostics-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.json$/);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toMatchObject({ format: diagnosticsFormat });
    if (process.platform !== 'win32') expect(statSync(target).mode & 0o777).toBe(0o600);

    const cancelled = await workstation(async () => null);
    expect(await cancelled.core.dispatcher.dispatch('app.diagnostics', { save: true })).toMatchObject({
      ok: true,
      value: { saved: false },
    });
    for (const w of [core, cancelled.core]) await w.close();
    await files.close();
    await cancelled.files.close();
  });

  it('a folder that cannot be written to is a clear error, and the bundle is still shown', async () => {
    const { core, files } = await workstation(async () => '/proc/clinical-messenger-diagnostics.json');
    const refused = await core.dispatcher.dispatch('app.diagnostics', { save: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'internal' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/could not be saved there/);
    expect(await core.dispatcher.dispatch('app.diagnostics', { save: false })).toMatchObject({ ok: true });
    await core.close();
    await files.close();
  });
});
