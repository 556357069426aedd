// Issue 16 (hospital IT): the hospital's private CA is trusted from the operating system's certificate store.
// IT installs it on WARD3B-PC01 the Debian way (/usr/local/share/ca-certificates, update-ca-certificates) and
// tells Node nothing (no NODE_EXTRA_CA_CERTS). The hub, the IdP and the document gateway all serve certificates
// from that CA; Dr Asha Rao signs in and sends Dr Samuel Okafor a lab PDF, which he opens verified.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestTls } from '../../stack/tls';

const updateCaCertificates = '/usr/sbin/update-ca-certificates';
const canInstallCa = process.getuid?.() === 0 && existsSync(updateCaCertificates);
if (!canInstallCa) {
  console.warn(
    '[private CA] SKIPPED: installing a CA in the system certificate store needs root and update-ca-certificates ' +
      '(CI runs as root on Debian).',
  );
}

/** Runs the ward workstation in a process of its own, without NODE_EXTRA_CA_CERTS, and returns its report. */
function runWorkstation(tlsDir: string): Promise<{ code: number | null; lines: string[] }> {
  const { NODE_EXTRA_CA_CERTS: _notUsed, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/integration/tls/private-ca-child.ts'], {
    env: { ...env, CM_TEST_TLS_DIR: tlsDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, lines: out.split('\n').filter(Boolean) })),
  );
}

describe.skipIf(!canInstallCa)('a private CA installed in the OS store only', () => {
  const tlsDir = mkdtempSync(join(tmpdir(), 'cm-private-ca-'));
  const anchor = `/usr/local/share/ca-certificates/clinical-messenger-test-${randomUUID()}.crt`;

  // update-ca-certificates also rebuilds Java's keystore: seconds on a quiet machine, minutes on a loaded one.
  const storeTimeout = 300_000;
  beforeAll(async () => {
    const tls = ensureTestTls(tlsDir, 'WARD3B Hospital Private CA (test)');
    // Nothing can be signed with this CA once the servers' certificate exists, even if a crash left it installed.
    rmSync(join(tlsDir, 'ca-key.pem'));
    copyFileSync(tls.caCertPath, anchor);
    await promisify(execFile)(updateCaCertificates);
  }, storeTimeout);
  afterAll(async () => {
    rmSync(anchor, { force: true });
    // --fresh: a plain run keeps the removed CA's links in /etc/ssl/certs (it only rebuilds the bundle).
    await promisify(execFile)(updateCaCertificates, ['--fresh']);
    rmSync(tlsDir, { recursive: true, force: true });
  }, storeTimeout);

  it('Node alone does not trust it; the app core does, for sign-in, the hub and the document gateway', async () => {
    const { code, lines } = await runWorkstation(tlsDir);
    expect(code).toBe(0);
    const report = JSON.parse(lines.at(-1)!);
    expect(report.beforeCore).toMatch(
      /^(UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/,
    );
    expect(report.received).toEqual({ text: 'Bed 12 potassium, please review', verdict: 'valid' });
    expect(report.opened).toEqual({ verified: true, fileName: 'potassium.pdf' });
  }, 180_000);
});
