// IT sets the hospital proxy in the machine policy (proxyUrl, proxyBypass); where it sets none, the system
// proxy applies. A user's settings on WARD3B-PC01 can neither name a proxy nor change IT's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bypasses, environmentProxy, parsePacAnswer } from '../../../src/main/core/network';
import { createRouter } from '../../../src/main/core/network/route';
import { loadPolicy } from '../../../src/main/core/policy';

const dir = mkdtempSync(join(tmpdir(), 'cm-proxy-policy-'));
let n = 0;
const file = (content: unknown): string => {
  const path = join(dir, `policy-${n++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
};
const itProxy = 'http://proxy.hospital.example:8080';

describe('proxyUrl and proxyBypass in the policy', () => {
  it('takes the proxy from the machine policy', () => {
    const loaded = loadPolicy({
      machine: file({ proxyUrl: itProxy, proxyBypass: ['.lab.hospital.example', '10.20.0.5'] }),
      user: null,
    });
    expect(loaded.problems).toEqual([]);
    expect(loaded.policy).toMatchObject({
      proxyUrl: itProxy,
      proxyBypass: ['.lab.hospital.example', '10.20.0.5'],
    });
    expect(loaded.sources).toMatchObject({ proxyUrl: 'machine', proxyBypass: 'machine' });
  });

  it('a user setting can neither add a proxy nor change or bypass IT’s', () => {
    const user = file({
      proxyUrl: 'http://laptop-capture.example:8888',
      proxyBypass: ['hub.hospital.example'],
    });
    const none = loadPolicy({ machine: null, user });
    expect(none.policy).toMatchObject({ proxyUrl: null, proxyBypass: [] });
    expect(none.sources).toMatchObject({ proxyUrl: 'default', proxyBypass: 'default' });
    const managed = loadPolicy({ machine: file({ proxyUrl: itProxy }), user });
    expect(managed.policy).toMatchObject({ proxyUrl: itProxy, proxyBypass: [] });
    expect(managed.sources).toMatchObject({ proxyUrl: 'machine', proxyBypass: 'default' });
  });

  it('refuses a proxy that is not http://host:port, naming the field and the fix', () => {
    const port80 = loadPolicy({
      machine: file({ proxyUrl: 'http://proxy.hospital.example:80' }),
      user: null,
    });
    expect(port80.policy.proxyUrl).toBe('http://proxy.hospital.example:80');
    for (const bad of [
      'https://proxy.hospital.example:8443',
      'http://it:secret@proxy.hospital.example:8080',
      'http://proxy.hospital.example',
      'http://proxy.hospital.example:8080/path',
      'socks5://proxy.hospital.example:1080',
      'proxy.hospital.example:8080',
    ]) {
      const machine = file({ proxyUrl: bad });
      const loaded = loadPolicy({ machine, user: null });
      expect(loaded.problems).toEqual([
        { file: machine, field: 'proxyUrl', message: expect.stringContaining('http://host:port') },
      ]);
      expect(loaded.policy.proxyUrl).toBeNull();
    }
  });

  it('refuses a bypass entry that is not a host or domain, naming the entry', () => {
    const machine = file({ proxyUrl: itProxy, proxyBypass: ['.hospital.example', 'https://x.example/'] });
    expect(loadPolicy({ machine, user: null }).problems).toEqual([
      { file: machine, field: 'proxyBypass.1', message: expect.stringContaining('host name') },
    ]);
  });
});

describe('which connections go through which proxy', () => {
  it('the bypass list matches hosts and whole domains, never a look-alike name', () => {
    const list = ['.lab.hospital.example', '*.pacs.hospital.example', '10.20.0.5', 'Intranet'];
    expect(bypasses(list, 'lab.hospital.example')).toBe(true);
    expect(bypasses(list, 'gw.LAB.hospital.example')).toBe(true);
    expect(bypasses(list, 'ris.pacs.hospital.example')).toBe(true);
    expect(bypasses(list, '10.20.0.5')).toBe(true);
    expect(bypasses(list, 'intranet')).toBe(true);
    expect(bypasses(list, 'evillab.hospital.example')).toBe(false);
    expect(bypasses(list, '10.20.0.50')).toBe(false);
    expect(bypasses(list, 'hub.hospital.example')).toBe(false);
  });

  it('a domain entry never matches a name that only ends with its text', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
    fc.assert(
      fc.property(label, label, (prefix, domain) => {
        expect(bypasses([`.${domain}.example`], `${prefix}${domain}.example`)).toBe(false);
        expect(bypasses([`.${domain}.example`], `${prefix}.${domain}.example`)).toBe(true);
      }),
    );
  });

  it('reads the system proxy’s PAC answer: the first PROXY or DIRECT it can use', () => {
    expect(parsePacAnswer('PROXY proxy.hospital.example:3128; DIRECT')).toEqual({
      kind: 'proxy',
      proxy: new URL('http://proxy.hospital.example:3128'),
    });
    expect(parsePacAnswer('SOCKS5 socks.hospital.example:1080; PROXY p2.hospital.example:80')).toMatchObject({
      proxy: new URL('http://p2.hospital.example'),
    });
    expect(parsePacAnswer('DIRECT')).toEqual({ kind: 'direct' });
    expect(parsePacAnswer('')).toEqual({ kind: 'direct' });
  });

  it('the policy’s proxy wins over the system’s; its bypass list goes direct', async () => {
    const system = () => Promise.resolve('PROXY system-proxy.hospital.example:3128');
    const route = createRouter({ proxyUrl: itProxy, proxyBypass: ['.lab.hospital.example'], system });
    expect(await route('hub.hospital.example', 443)).toEqual({ kind: 'proxy', proxy: new URL(itProxy) });
    expect(await route('gw.lab.hospital.example', 443)).toEqual({ kind: 'direct' });
    const systemOnly = createRouter({ proxyUrl: null, proxyBypass: [], system });
    expect(await systemOnly('hub.hospital.example', 443)).toMatchObject({
      proxy: new URL('http://system-proxy.hospital.example:3128'),
    });
  });

  it('without Electron the system proxy is HTTPS_PROXY, minus NO_PROXY', async () => {
    const env = {
      HTTPS_PROXY: 'http://proxy.hospital.example:8080',
      NO_PROXY: 'localhost,.lab.hospital.example',
    };
    const route = createRouter({ proxyUrl: null, proxyBypass: [], system: environmentProxy(env) });
    expect(await route('hub.hospital.example', 443)).toEqual({ kind: 'proxy', proxy: new URL(itProxy) });
    expect(await route('gw.lab.hospital.example', 443)).toEqual({ kind: 'direct' });
    expect(environmentProxy({})).toBeUndefined();
    expect(environmentProxy({ HTTPS_PROXY: 'socks5://proxy.hospital.example:1080' })).toBeUndefined();
  });
});
