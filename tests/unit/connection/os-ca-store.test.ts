// A workstation's core trusts the CAs hospital IT installed in the OS store, without losing the public roots
// Node ships or the test CA this suite passes in NODE_EXTRA_CA_CERTS.
import { X509Certificate } from 'node:crypto';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/main/core/log/logger';

const fingerprints = (pems: string[]): string[] => pems.map((pem) => new X509Certificate(pem).fingerprint256);

function capturedLog(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ destination }), lines };
}

// The trust is set once a process, and unit test files share their processes: each test takes the module
// afresh, as a core starting in a new process would.
async function freshTrustOsCaStore() {
  vi.resetModules();
  return (await import('../../../src/main/core/connection/os-ca-store')).trustOsCaStore;
}

it('when the OS store cannot be read, the core still starts and its log tells IT why', async () => {
  const trustOsCaStore = await freshTrustOsCaStore();
  const unreadableStoreFaultInjected = vi.spyOn(tls, 'getCACertificates').mockImplementation(() => {
    throw new Error('system certificate store unavailable');
  });
  const { log, lines } = capturedLog();
  try {
    trustOsCaStore(log);
  } finally {
    unreadableStoreFaultInjected.mockRestore();
  }
  expect(lines.join('')).toContain('OS certificate store not read: only the bundled CAs are trusted');
  expect(lines.join('')).toContain('system certificate store unavailable');
});

it('after the core starts, TLS clients trust the OS store, the bundled roots and NODE_EXTRA_CA_CERTS', async () => {
  const trustOsCaStore = await freshTrustOsCaStore();
  const system = fingerprints(tls.getCACertificates('system'));
  const bundled = fingerprints(tls.getCACertificates('bundled'));
  const extra = fingerprints(tls.getCACertificates('extra'));
  expect(extra.length).toBeGreaterThan(0); // the suite's test CA (tests/setup/global-setup.ts)
  const { log, lines } = capturedLog();
  trustOsCaStore(log);
  trustOsCaStore(log);
  expect(lines).toEqual([]);
  const trusted = fingerprints(tls.getCACertificates('default'));
  expect(new Set(trusted).size).toBe(trusted.length);
  expect(trusted).toEqual(expect.arrayContaining([...system, ...bundled, ...extra]));
});
