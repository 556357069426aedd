import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../src/main/core';

const unused = (what: string) => () => {
  throw new Error(`${what} is not part of this test`);
};

/** A real core for tests that do not sign in: any attempt to open a browser or reach the hub fails loudly. */
export function coreForTest(overrides: Partial<CoreOptions> = {}): Core {
  return createCore({
    appName: 'Clinical Messenger',
    appVersion: '0.1.0',
    platform: 'linux',
    policyFiles: { machine: null, user: null },
    appDataDir: mkdtempSync(join(tmpdir(), 'cm-core-')),
    openBrowser: unused('Opening a browser'),
    connectDevice: unused('Connecting to the hub'),
    ...overrides,
  });
}
