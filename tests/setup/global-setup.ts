import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestTls } from '../stack/tls';

/**
 * Makes the suite's own test CA and tells every process started after this to trust it. NODE_EXTRA_CA_CERTS
 * is read when a process starts, so it must be set before the test workers (or benchmark processes) exist;
 * it replaces whatever the machine had set.
 */
export function trustTestCa(): void {
  const dir = process.env.CM_TEST_TLS_DIR ?? mkdtempSync(join(tmpdir(), 'cm-test-tls-'));
  const tls = ensureTestTls(dir);
  process.env.CM_TEST_TLS_DIR = dir;
  process.env.NODE_EXTRA_CA_CERTS = tls.caCertPath;
}

/** vitest's globalSetup: runs once before any test worker starts. */
export default function setup(): void {
  trustTestCa();
}
