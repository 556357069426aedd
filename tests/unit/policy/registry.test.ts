// Issue 16: on Windows, IT sets the policy by Group Policy or Intune, which writes
// HKLM\SOFTWARE\Policies\ClinicalMessenger (administrators only). A staff account on WARD3B-PC01 can create
// %ProgramData%\ClinicalMessenger\policy.json, so when the key exists the file is not read at all. The reader
// is injected: an in-memory registry standing in for reg.exe (which does not exist on this Linux runner), in
// exactly the shape winreg hands over (DWORDs as hex text, REG_MULTI_SZ items joined by "\0").
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadPolicy,
  machinePolicy,
  POLICY_KEY,
  readRegistryPolicy,
  type RegistryReader,
} from '../../../src/main/core/policy';
import type { RegistryValue } from '../../../src/main/core/policy/registry';

const dir = mkdtempSync(join(tmpdir(), 'cm-policy-registry-'));
const planted = join(dir, 'policy.json');
writeFileSync(
  planted,
  JSON.stringify({
    hubUrl: 'https://rogue.example/hub',
    gatewayUrl: 'https://rogue.example/ipfs',
    saveToDiskAllowed: true,
  }),
);

const sz = (name: string, value: string): RegistryValue => ({ name, type: 'REG_SZ', value });
const dword = (name: string, value: number): RegistryValue => ({
  name,
  type: 'REG_DWORD',
  value: `0x${value.toString(16)}`,
});
const multi = (name: string, items: string[]): RegistryValue => ({
  name,
  type: 'REG_MULTI_SZ',
  value: items.join('\\0'),
});

/** FAKE (stands in for reg.exe on Linux): an in-memory HKLM, keyed by full key path. */
function registryWith(keys: Record<string, RegistryValue[]>): RegistryReader {
  return {
    list(key) {
      const values = keys[key];
      if (!values) return Promise.resolve(null);
      const prefix = `${key}\\`;
      const subkeys = Object.keys(keys)
        .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('\\'))
        .map((k) => k.slice(prefix.length));
      return Promise.resolve({ values, subkeys });
    },
  };
}

const wardGpo = {
  [POLICY_KEY]: [
    sz('hubUrl', 'https://hub.hospital.example/hub'),
    sz('gatewayUrl', 'https://ipfs.hospital.example'),
    dword('idleLockMaxMinutes', 10),
    sz('notificationPrivacy', 'hidden'),
    dword('saveToDiskAllowed', 0),
    dword('listPreviews', 0),
    multi('externalLinkAllowlist', [
      'https://intranet.hospital.example',
      'https://formulary.hospital.example',
    ]),
  ],
  [`${POLICY_KEY}\\idp`]: [
    sz('authority', 'https://login.hospital.example/t/'),
    sz('clientId', 'clinical-messenger'),
    multi('scopes', ['api://hub/.default', 'offline_access']),
  ],
};

async function fromRegistry(keys: Record<string, RegistryValue[]>) {
  const registry = await readRegistryPolicy(registryWith(keys));
  return loadPolicy({ machine: planted, user: null, registry });
}

describe('Windows Group Policy in the registry', () => {
  it('maps REG_SZ, REG_DWORD (numbers and 0/1 switches), REG_MULTI_SZ lists and the idp subkey', async () => {
    const loaded = await fromRegistry(wardGpo);
    expect(loaded.problems).toEqual([]);
    expect(loaded.machine).toEqual({ source: POLICY_KEY, status: 'in-force' });
    expect(loaded.policy).toMatchObject({
      hubUrl: 'https://hub.hospital.example/hub',
      gatewayUrl: 'https://ipfs.hospital.example',
      idleLockMaxMinutes: 10,
      notificationPrivacy: 'hidden',
      saveToDiskAllowed: false,
      listPreviews: false,
      externalLinkAllowlist: ['https://intranet.hospital.example', 'https://formulary.hospital.example'],
      idp: {
        authority: 'https://login.hospital.example/t/',
        clientId: 'clinical-messenger',
        scopes: ['api://hub/.default', 'offline_access'],
      },
    });
    expect(loaded.sources.hubUrl).toBe('machine');
  });

  it('wins whole over a file planted in %ProgramData%: not one of its settings is used', async () => {
    const onlyLock = await fromRegistry({ [POLICY_KEY]: [dword('idleLockMaxMinutes', 3)] });
    expect(onlyLock.policy.idleLockMaxMinutes).toBe(3);
    // The GPO names no hub; the planted file does, and is not read.
    expect(onlyLock.policy.hubUrl).toBeNull();
    expect(onlyLock.policy.saveToDiskAllowed).toBe(false);
    expect(onlyLock.problems).toEqual([]);
  });

  it('without the key, the %ProgramData% file is the machine policy', async () => {
    const loaded = await fromRegistry({});
    expect(loaded.machine).toEqual({ source: planted, status: 'in-force' });
    expect(loaded.policy.hubUrl).toBe('https://rogue.example/hub');
  });

  it('refuses the whole key when one value has the wrong registry type, naming the value', async () => {
    const loaded = await fromRegistry({
      ...wardGpo,
      [POLICY_KEY]: [...wardGpo[POLICY_KEY], sz('retentionDays', '30'), dword('saveToDiskAllowed', 2)],
    });
    expect(loaded.machine.status).toBe('refused');
    expect(loaded.problems).toEqual(
      expect.arrayContaining([
        { file: POLICY_KEY, field: 'retentionDays', message: 'is REG_SZ; it must be a REG_DWORD' },
        { file: POLICY_KEY, field: 'saveToDiskAllowed', message: expect.stringContaining('0 or 1') },
      ]),
    );
    // Refused whole, and the planted file does not step in.
    expect(loaded.policy.hubUrl).toBeNull();
  });

  it('refuses values the schema refuses, a misspelt value name and an unknown subkey', async () => {
    const loaded = await fromRegistry({
      [POLICY_KEY]: [sz('hubUrl', 'http://plain.example'), dword('saveToDiskAlowed', 1)],
      [`${POLICY_KEY}\\idp`]: [sz('authority', 'https://login.example/'), sz('clientId', 'cm')],
      [`${POLICY_KEY}\\proxy`]: [sz('url', 'https://proxy.example')],
    });
    expect(loaded.machine.status).toBe('refused');
    expect(loaded.problems.map((p) => p.field).sort()).toEqual([
      'hubUrl',
      'idp.scopes',
      'proxy',
      'saveToDiskAlowed',
    ]);
  });

  it('a key that exists but cannot be read refuses the policy rather than falling back to the file', async () => {
    const failing: RegistryReader = {
      list: () => Promise.reject(new Error('reg.exe exited with code 5 (access denied)')),
    };
    const registry = await readRegistryPolicy(failing);
    const loaded = loadPolicy({ machine: planted, user: null, registry });
    expect(loaded.machine).toEqual({ source: POLICY_KEY, status: 'refused' });
    expect(loaded.problems[0]?.message).toContain('access denied');
    expect(loaded.policy.hubUrl).toBeNull();
  });

  it('machinePolicy() reads the key on Windows only, and wants a root-owned file elsewhere', async () => {
    const reader = registryWith(wardGpo);
    const windows = await machinePolicy({
      platform: 'win32',
      env: { ProgramData: 'C:\\ProgramData' },
      registry: reader,
    });
    expect(windows.machine).toBe('C:\\ProgramData\\ClinicalMessenger\\policy.json');
    expect(windows.registry).toMatchObject({ source: POLICY_KEY });
    expect(windows.machineOwner).toBeNull();
    const linux = await machinePolicy({ platform: 'linux', env: {}, registry: reader });
    expect(linux).toMatchObject({ machine: '/etc/clinical-messenger/policy.json', registry: null });
    expect(linux.machineOwner).toBeTypeOf('function');
    const mac = await machinePolicy({ platform: 'darwin', env: {} });
    expect(mac.machineOwner).toBeTypeOf('function');
    // A development run's own file: any owner, no registry.
    const dev = await machinePolicy({ platform: 'win32', env: {}, devOverride: planted, registry: reader });
    expect(dev).toEqual({ machine: planted, machineOwner: null, registry: null });
  });
});
