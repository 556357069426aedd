// Shared test environment: the test TLS material, in CM_TEST_TLS_DIR (set by the vitest globalSetup) or
// a fixed folder under the OS temp dir when a test file runs on its own.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestTls, type TestTls } from './tls';

export function testTls(): TestTls {
  return ensureTestTls(process.env.CM_TEST_TLS_DIR ?? join(tmpdir(), 'clinical-messenger-test-tls'));
}
