// The installer rules hospital IT relies on (build/packaging-rules.mjs), against the real electron-builder.yml
// as electron-builder loads it, and against the mistakes a release engineer could make in it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../build/builder-config.mjs';
import { packagingProblems } from '../../../build/packaging-rules.mjs';

const root = resolve(import.meta.dirname, '../../..');
type Config = Record<string, Record<string, unknown>>;
let shipped: Config;
let copy: string;

beforeAll(async () => {
  shipped = (await loadConfig(root)) as Config;
  // A scratch copy of resources/, so a test can break an image or the entitlements without touching the repo.
  copy = mkdtempSync(join(tmpdir(), 'cm-packaging-'));
  cpSync(join(root, 'resources'), join(copy, 'resources'), { recursive: true });
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const edited = (edit: (config: Config) => void): Config => {
  const config = structuredClone(shipped);
  edit(config);
  return config;
};

describe('the installers hospital IT pushes to WARD3B-PC01 and the OPD desks', () => {
  it('are configured as the issue asks: no rule is broken in electron-builder.yml', () => {
    expect(packagingProblems(shipped, root)).toEqual([]);
  });

  it('refuse an AppImage added back to the Linux targets', () => {
    const config = edited((c) => {
      c.linux!.target = ['deb', 'rpm', 'AppImage'];
    });
    expect(packagingProblems(config, root)).toEqual([
      'an AppImage target is configured: it runs outside the package manager and IT control',
    ]);
  });

  it('refuse a per-user Windows installer, which Intune could not manage', () => {
    const config = edited((c) => {
      c.nsis!.perMachine = false;
      c.msi!.perMachine = false;
    });
    expect(packagingProblems(config, root)).toEqual([
      'msi.perMachine is not true: GPO and Intune install per machine',
      'nsis.perMachine is not true',
    ]);
  });

  it('refuse an MSI whose upgrade code is not pinned, so an upgrade would install beside the old version', () => {
    const config = edited((c) => {
      delete c.msi!.upgradeCode;
    });
    expect(packagingProblems(config, root)).toEqual([
      'msi.upgradeCode is not a pinned upper-case GUID: upgrades would install beside the old version',
    ]);
  });

  it('name a signing password pasted into the config, wherever it sits', () => {
    const config = edited((c) => {
      c.win!.signtoolOptions = { publisherName: 'Clinical Messenger', certificatePassword: 'ward3b' };
      c.mac!.cscKeyPassword = 'x';
    });
    expect(packagingProblems(config, root)).toEqual([
      'win.signtoolOptions.certificatePassword is in the config: signing secrets come from the environment, never the repository',
      'mac.cscKeyPassword is in the config: signing secrets come from the environment, never the repository',
    ]);
  });

  it('refuse a macOS build without the hardened runtime or notarisation', () => {
    const config = edited((c) => {
      c.mac!.hardenedRuntime = false;
      c.mac!.notarize = false;
    });
    expect(packagingProblems(config, root)).toEqual([
      'mac.hardenedRuntime is not true: notarisation needs it',
      'mac.notarize is not true',
    ]);
  });

  it('refuse an entitlement the app does not need, such as switching off library validation', () => {
    const file = join(copy, 'resources/entitlements.mac.plist');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '<dict>',
        '<dict>\n    <key>com.apple.security.cs.disable-library-validation</key>\n    <true/>',
      ),
    );
    expect(packagingProblems(shipped, copy)).toEqual([
      'mac.entitlements grants com.apple.security.cs.disable-library-validation, which the app does not need',
      'mac.entitlementsInherit grants com.apple.security.cs.disable-library-validation, which the app does not need',
    ]);
    cpSync(join(root, 'resources/entitlements.mac.plist'), file);
  });

  it('refuse an app icon too small for the macOS icns and a 32-bit NSIS sidebar', () => {
    cpSync(join(copy, 'resources/icons/512x512.png'), join(copy, 'resources/icon.png'));
    const sidebar = readFileSync(join(copy, 'resources/installer-sidebar.bmp'));
    sidebar.writeUInt16LE(32, 28);
    writeFileSync(join(copy, 'resources/installer-sidebar.bmp'), sidebar);
    expect(packagingProblems(shipped, copy)).toEqual([
      'icon resources/icon.png is 512x512, expected 1024x1024',
      'nsis.installerSidebar resources/installer-sidebar.bmp has 32 bits per pixel; NSIS needs 24',
      'nsis.uninstallerSidebar resources/installer-sidebar.bmp has 32 bits per pixel; NSIS needs 24',
    ]);
  });

  it('name a missing Linux icon size', () => {
    rmSync(join(copy, 'resources/icons/48x48.png'));
    expect(packagingProblems(shipped, copy)).toContain('linux icon resources/icons/48x48.png is missing');
  });
});
