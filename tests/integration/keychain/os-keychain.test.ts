import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import keytar from 'keytar';
import { afterEach, describe, expect, it } from 'vitest';
import { createOsKeychain, keychainAccount, profileAccountPrefix } from '../../../src/main/core/keychain';

const services: string[] = [];
function service(): string {
  const name = `Clinical Messenger test ${randomUUID()}`;
  services.push(name);
  return name;
}
afterEach(async () => {
  for (const name of services.splice(0)) {
    for (const c of await keytar.findCredentials(name)) await keytar.deletePassword(name, c.account);
  }
});

describe('OS keychain adapter (real Secret Service)', () => {
  it('stores, reads, lists and deletes secrets of its own service only', async () => {
    const a = createOsKeychain(service());
    const b = createOsKeychain(service());
    expect(await a.get('p1/store-key')).toBeNull();
    await a.set('p1/store-key', 'secret-a');
    await b.set('p1/store-key', 'secret-b');
    expect(await a.get('p1/store-key')).toBe('secret-a');
    expect(await b.get('p1/store-key')).toBe('secret-b');
    await a.set('p1/store-key', 'secret-a2');
    expect(await a.get('p1/store-key')).toBe('secret-a2');
    await a.set('p2/device-keys', 'x');
    expect((await a.list()).sort()).toEqual(['p1/store-key', 'p2/device-keys']);
    expect(await b.list()).toEqual(['p1/store-key']);
    expect(await a.delete('p1/store-key')).toBe(true);
    expect(await a.delete('p1/store-key')).toBe(false);
    expect(await a.get('p1/store-key')).toBeNull();
    expect(await b.get('p1/store-key')).toBe('secret-b');
  });

  it('names accounts per profile (and device), so one prefix finds exactly one profile’s entries', () => {
    expect(keychainAccount('p-1', 'store-key')).toBe('p-1/store-key');
    expect(keychainAccount('p-1', 'signing', 'd-9')).toBe('p-1/d-9/signing');
    expect(profileAccountPrefix('p-1')).toBe('p-1/');
    expect(keychainAccount('p-10', 'store-key').startsWith(profileAccountPrefix('p-1'))).toBe(false);
    expect(() => keychainAccount('p/1', 'store-key')).toThrow(TypeError);
    expect(() => keychainAccount('p-1', '')).toThrow(TypeError);
  });

  it('reports keychain_unavailable when there is no Secret Service (no D-Bus session)', () => {
    const script = `
      import { createOsKeychain } from './src/main/core/keychain';
      const k = createOsKeychain('Clinical Messenger test unavailable');
      for (const op of [() => k.get('a/b'), () => k.set('a/b', 's'), () => k.list(), () => k.delete('a/b')]) {
        try { await op(); console.log('ok'); } catch (e) { console.log(e.code); }
      }`;
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cm-bus', DISPLAY: '' };
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env,
      encoding: 'utf8',
    });
    expect(out.stdout.trim().split('\n')).toEqual([
      'keychain_unavailable',
      'keychain_unavailable',
      'keychain_unavailable',
      'keychain_unavailable',
    ]);
  });
});
